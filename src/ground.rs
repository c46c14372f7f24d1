//! Grounding: whether a card's answer is stated in the paragraph of the
//! source text that the card cites. This keeps a deck honest to its source.

use crate::deck::Card;
use crate::text::{WrittenDate, contains_words, dates_in, normalise, parse_date};

/// A source text split into paragraphs (blocks separated by a blank line),
/// each kept normalised for matching.
#[derive(Debug, Clone)]
pub struct SourceText {
    paragraphs: Vec<Paragraph>,
    /// [`fingerprint`] of the whole text.
    fingerprint: String,
}

#[derive(Debug, Clone)]
struct Paragraph {
    /// The paragraph as written, its lines joined by spaces.
    text: String,
    normalised: String,
    dates: Vec<WrittenDate>,
}

/// The SHA-256 of `text` with its line ends normalised (CRLF to LF), in
/// lower-case hex: what a deck's `source_sha256` records, so a copy saved
/// on Windows has the same fingerprint as the original.
pub fn fingerprint(text: &str) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(text.replace("\r\n", "\n").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Why a card is not grounded in its source.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Ungrounded {
    /// The card cites no paragraph.
    #[error("cites no source paragraph: add \"source\": {{ \"paragraph\": N }}")]
    NoSource,
    /// The cited paragraph does not exist.
    #[error("cites paragraph {paragraph}, but the source has {count} paragraphs")]
    NoSuchParagraph {
        /// The cited paragraph.
        paragraph: u32,
        /// How many the source has.
        count: usize,
    },
    /// Neither the answer nor any accept form is in the paragraph.
    #[error("paragraph {paragraph} does not state the answer {answer:?} or any of its accept forms: fix the card")]
    NotStated {
        /// The cited paragraph.
        paragraph: u32,
        /// The card's answer.
        answer: String,
    },
}

impl SourceText {
    /// Splits `text` into paragraphs at blank lines.
    pub fn new(text: &str) -> SourceText {
        let mut paragraphs = Vec::new();
        let mut current = String::new();
        for line in text.lines().chain(std::iter::once("")) {
            if line.trim().is_empty() {
                if !current.trim().is_empty() {
                    let normalised = normalise(&current);
                    let dates = dates_in(&normalised);
                    let text = current.split_whitespace().collect::<Vec<_>>().join(" ");
                    paragraphs.push(Paragraph { text, normalised, dates });
                }
                current.clear();
            } else {
                current.push_str(line);
                current.push('\n');
            }
        }
        SourceText { paragraphs, fingerprint: fingerprint(text) }
    }

    /// The number of paragraphs.
    pub fn paragraph_count(&self) -> usize {
        self.paragraphs.len()
    }

    /// The SHA-256 of the text, line ends normalised ([`fingerprint`]).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The 1-based `paragraph` as written (lines joined by spaces).
    pub fn paragraph(&self, paragraph: u32) -> Option<&str> {
        let index = usize::try_from(paragraph).ok().and_then(|p| p.checked_sub(1))?;
        self.paragraphs.get(index).map(|p| p.text.as_str())
    }

    /// Checks that `card`'s answer, or one of its accept forms, is stated in
    /// the paragraph it cites: compared without case, diacritics or
    /// punctuation, with dates matched across their written forms.
    ///
    /// # Errors
    /// Says why the card is not grounded.
    pub fn check(&self, card: &Card) -> Result<(), Ungrounded> {
        let Some(source) = &card.source else { return Err(Ungrounded::NoSource) };
        let index = usize::try_from(source.paragraph).ok().and_then(|p| p.checked_sub(1));
        let Some(paragraph) = index.and_then(|i| self.paragraphs.get(i)) else {
            return Err(Ungrounded::NoSuchParagraph { paragraph: source.paragraph, count: self.paragraphs.len() });
        };
        let stated = std::iter::once(&card.answer).chain(&card.accept).any(|form| paragraph.states(form));
        if stated {
            Ok(())
        } else {
            Err(Ungrounded::NotStated { paragraph: source.paragraph, answer: card.answer.clone() })
        }
    }
}

impl SourceText {
    /// Whether any paragraph states `form` (compared as [`SourceText::check`]
    /// compares).
    pub fn states_anywhere(&self, form: &str) -> bool {
        self.paragraphs.iter().any(|p| p.states(form))
    }

    /// Whether the 1-based `paragraph` states `form`.
    pub fn states_in(&self, paragraph: u32, form: &str) -> bool {
        let index = usize::try_from(paragraph).ok().and_then(|p| p.checked_sub(1));
        index.and_then(|i| self.paragraphs.get(i)).is_some_and(|p| p.states(form))
    }
}

impl Paragraph {
    fn states(&self, form: &str) -> bool {
        if contains_words(&self.normalised, &normalise(form)) {
            return true;
        }
        parse_date(form).is_some_and(|date| self.dates.contains(&date))
    }
}
