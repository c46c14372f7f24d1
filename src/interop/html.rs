//! Anki fields are HTML; Yadgar cards are plain text. This turns one into
//! the other: tags removed (line breaks kept), entities decoded, sound tags
//! dropped; and back, with escaping. Cloze deletions are read here too.

/// Plain text from an Anki field: `<br>`, `<div>`, `<p>` and `<li>` become
/// line breaks, other tags are removed, entities (`&amp;`, `&nbsp;`,
/// `&#8211;`, `&#x2013;` ...) decoded, `[sound:...]` removed, and runs of
/// spaces and blank lines collapsed.
pub fn strip_html(html: &str) -> String {
    let mut text = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(c) = rest.chars().next() {
        if c == '<'
            && let Some(end) = rest.find('>')
        {
            let tag = rest.get(1..end).unwrap_or("").trim().to_ascii_lowercase();
            let name: String = tag.trim_start_matches('/').chars().take_while(|c| c.is_ascii_alphanumeric()).collect();
            let block = matches!(name.as_str(), "div" | "p" | "li" | "tr" | "hr" | "h1" | "h2" | "h3" | "ul" | "ol");
            // `<br>` always breaks the line; a block starts or ends one only
            // if the text is not at a line start already.
            if name == "br" || (block && !text.is_empty() && !text.ends_with('\n')) {
                text.push('\n');
            }
            rest = rest.get(end + 1..).unwrap_or("");
            continue;
        }
        if c == '&'
            && let Some((decoded, len)) = entity(rest)
        {
            text.push(decoded);
            rest = rest.get(len..).unwrap_or("");
            continue;
        }
        if c == '['
            && rest.starts_with("[sound:")
            && let Some(end) = rest.find(']')
        {
            rest = rest.get(end + 1..).unwrap_or("");
            continue;
        }
        text.push(c);
        rest = rest.get(c.len_utf8()..).unwrap_or("");
    }
    tidy(&text)
}

/// Collapses spaces within lines, trims them, and keeps at most one blank
/// line in a row and none at the ends.
fn tidy(text: &str) -> String {
    let mut out = String::new();
    let mut blank_pending = false;
    for line in text.split('\n') {
        let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
        if line.is_empty() {
            blank_pending = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank_pending { "\n\n" } else { "\n" });
        }
        blank_pending = false;
        out.push_str(&line);
    }
    out
}

/// Decodes the entity at the start of `s`: its character and byte length.
fn entity(s: &str) -> Option<(char, usize)> {
    // Byte-wise, since the 12th byte may fall inside a character.
    let end = s.as_bytes().iter().take(12).position(|&b| b == b';')?;
    let name = s.get(1..end)?;
    let c = match name {
        "nbsp" => ' ',
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "ndash" => '–',
        "mdash" => '—',
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            let c = char::from_u32(code)?;
            if c == '\u{a0}' { ' ' } else { c }
        }
    };
    Some((c, end + 1))
}

/// Plain text as HTML for an Anki field: `& < > "` escaped, line breaks as
/// `<br>`.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\n' => out.push_str("<br>"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out
}

/// Whether a field holds cloze deletions (`{{c1::...}}`).
pub(crate) fn has_cloze(field: &str) -> bool {
    clozes(field).next().is_some()
}

/// One cloze deletion: its number, hidden text, hint and byte range.
struct Cloze<'a> {
    number: u32,
    text: &'a str,
    hint: Option<&'a str>,
    start: usize,
    end: usize,
}

/// The (non-nested) cloze deletions of a field, in order.
fn clozes(field: &str) -> impl Iterator<Item = Cloze<'_>> {
    let mut from = 0;
    std::iter::from_fn(move || {
        loop {
            let rest = field.get(from..)?;
            let open = rest.find("{{c")?;
            let start = from + open;
            let after = field.get(start + 3..)?;
            let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
            let body_start = start + 3 + digits.len();
            let Some(body) = field.get(body_start..).and_then(|b| b.strip_prefix("::")) else {
                from = start + 3;
                continue;
            };
            let Ok(number) = digits.parse::<u32>() else {
                from = start + 3;
                continue;
            };
            let close = body.find("}}")?;
            let inner = body.get(..close)?;
            let (text, hint) = match inner.split_once("::") {
                Some((t, h)) => (t, Some(h)),
                None => (inner, None),
            };
            let end = body_start + 2 + close + 2;
            from = end;
            return Some(Cloze { number, text, hint, start, end });
        }
    })
}

/// The question and answer of cloze card `number` (1-based) of `field`:
/// that deletion shown as `[...]` (or `[hint]`), the others as their text;
/// the answer is the hidden text (several joined by `, `). `None` when the
/// field has no deletion with that number.
pub(crate) fn cloze_card(field: &str, number: u32) -> Option<(String, String)> {
    let mut question = String::new();
    let mut answers = Vec::new();
    let mut last = 0;
    for cloze in clozes(field) {
        question.push_str(field.get(last..cloze.start)?);
        if cloze.number == number {
            question.push('[');
            question.push_str(cloze.hint.unwrap_or("..."));
            question.push(']');
            answers.push(cloze.text);
        } else {
            question.push_str(cloze.text);
        }
        last = cloze.end;
    }
    question.push_str(field.get(last..)?);
    if answers.is_empty() {
        return None;
    }
    Some((question, answers.join(", ")))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    #[test]
    fn strips_tags_and_decodes_entities() {
        let check = |html: &str, text: &str| assert_eq!(strip_html(html), text, "{html}");
        check("Who led the <b>Russian</b> side&nbsp;in&nbsp;1921?", "Who led the Russian side in 1921?");
        check("<div>Chicherin</div><div>G. V.</div>", "Chicherin\nG. V.");
        check("Which port &amp; city?<br>Name it", "Which port & city?\nName it");
        check("Enzeli &lt;Anzali&gt;[sound:enzeli.mp3]", "Enzeli <Anzali>");
        check("1925&#8211;1941 &#x2014; &quot;x&quot; &#39;y&#39;", "1925–1941 — \"x\" 'y'");
        check("a & b; c", "a & b; c");
        check("<img src=\"a.png\">", "");
    }

    #[test]
    fn escape_then_strip_is_the_identity() {
        for text in ["a < b & c > \"d\"", "two\nlines", "a\n\nparagraph", "Āšurādā 'x'"] {
            assert_eq!(strip_html(&escape_html(text)), text);
        }
    }

    #[test]
    fn cloze_cards_hide_one_number_at_a_time() {
        let field = "The {{c1::Tudeh}} party was founded in {{c2::1941::year}}.";
        assert!(has_cloze(field));
        assert_eq!(cloze_card(field, 1), Some(("The [...] party was founded in 1941.".into(), "Tudeh".into())));
        assert_eq!(cloze_card(field, 2), Some(("The Tudeh party was founded in [year].".into(), "1941".into())));
        assert_eq!(cloze_card(field, 3), None);
        assert!(!has_cloze("no {{cloze}} here"));
    }
}
