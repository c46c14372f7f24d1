//! A fast reader for the one form of event line this app writes: flat JSON,
//! keys in the writer's order, no whitespace, no escapes, numbers written
//! plainly. It recognises a line only when serde would read it to the same
//! event; anything else (another key order, spaces, escapes, a type it does
//! not know, a newer format) is "not recognised", and the caller reads the
//! line with serde as before, so odd or hand-edited lines behave as they
//! always did. Reading a large log is several times faster this way.

use super::{Action, EventId, LOG_FORMAT, ReviewKind};
use crate::schedule::Rating;

/// An event line read in place: the deck and card borrow the line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Line<'a> {
    pub v: u32,
    pub id: EventId,
    pub at_ms: i64,
    pub offset_s: i32,
    pub deck: &'a str,
    pub card: &'a str,
    pub action: Action,
}

/// Reads `line` (without its line end) if it has exactly the writer's form
/// and log format at most [`LOG_FORMAT`]; `None` otherwise.
pub(super) fn parse(line: &[u8]) -> Option<Line<'_>> {
    let mut at = Cursor(line);
    at.tag(b"{\"v\":")?;
    let v = u32::try_from(at.unsigned()?).ok().filter(|&v| v <= LOG_FORMAT)?;
    at.tag(b",\"id\":")?;
    let id = at.event_id()?;
    at.tag(b",\"at_ms\":")?;
    let at_ms = at.signed()?;
    at.tag(b",\"offset_s\":")?;
    let offset_s = i32::try_from(at.signed()?).ok()?;
    at.tag(b",\"deck\":")?;
    let deck = at.string()?;
    at.tag(b",\"card\":")?;
    let card = at.string()?;
    at.tag(b",\"type\":\"")?;
    let action = if at.tag(b"review\",\"rating\":").is_some() {
        let rating = match at.byte()? {
            b'1' => Rating::Again,
            b'2' => Rating::Hard,
            b'3' => Rating::Good,
            b'4' => Rating::Easy,
            _ => return None,
        };
        at.tag(b",\"kind\":\"")?;
        let kind = if at.tag(b"learn\"").is_some() {
            ReviewKind::Learn
        } else if at.tag(b"review\"").is_some() {
            ReviewKind::Review
        } else if at.tag(b"relearn\"").is_some() {
            ReviewKind::Relearn
        } else {
            at.tag(b"cram\"")?;
            ReviewKind::Cram
        };
        at.tag(b",\"answer_ms\":")?;
        let answer_ms = u32::try_from(at.unsigned()?).ok()?;
        Action::Review { rating, kind, answer_ms }
    } else if at.tag(b"undo\",\"target\":").is_some() {
        Action::Undo { target: at.event_id()? }
    } else {
        let (name, action) = [
            (&b"bury\""[..], Action::Bury),
            (b"suspend\"", Action::Suspend),
            (b"unsuspend\"", Action::Unsuspend),
            (b"reset\"", Action::Reset),
            (b"send_to_review\"", Action::SendToReview),
        ]
        .into_iter()
        .find(|(name, _)| at.0.starts_with(name))?;
        at.tag(name)?;
        action
    };
    at.tag(b"}")?;
    at.0.is_empty().then_some(Line { v, id, at_ms, offset_s, deck, card, action })
}

/// The unread rest of a line.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    /// Steps over `tag` if the rest starts with it.
    fn tag(&mut self, tag: &[u8]) -> Option<()> {
        self.0 = self.0.strip_prefix(tag)?;
        Some(())
    }

    fn byte(&mut self) -> Option<u8> {
        let (&first, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(first)
    }

    /// A number as JSON writes it (`0`, or digits not starting with `0`),
    /// at most 19 digits so it cannot overflow; a fraction or exponent
    /// after it is left unread, so the next tag fails.
    fn unsigned(&mut self) -> Option<u64> {
        let digits = self.0.iter().take_while(|b| b.is_ascii_digit()).count();
        let (number, rest) = self.0.split_at_checked(digits)?;
        if digits == 0 || digits > 19 || (digits > 1 && number.first() == Some(&b'0')) {
            return None;
        }
        self.0 = rest;
        Some(number.iter().fold(0, |n, d| n * 10 + u64::from(d - b'0')))
    }

    /// As [`Cursor::unsigned`], with an optional minus sign (not `-0`).
    fn signed(&mut self) -> Option<i64> {
        if self.tag(b"-").is_some() {
            let n = self.unsigned()?;
            return i64::try_from(n).ok().filter(|&n| n != 0).map(|n| -n);
        }
        i64::try_from(self.unsigned()?).ok()
    }

    /// A string with no escape and no control character, which JSON and
    /// serde read as its bytes; it must be UTF-8.
    fn string(&mut self) -> Option<&'a str> {
        self.tag(b"\"")?;
        let len = self.0.iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20)?;
        let (text, rest) = self.0.split_at_checked(len)?;
        self.0 = rest;
        self.tag(b"\"")?;
        std::str::from_utf8(text).ok()
    }

    /// An event id: a string of exactly 32 hex digits.
    fn event_id(&mut self) -> Option<EventId> {
        self.tag(b"\"")?;
        let (digits, rest) = self.0.split_at_checked(32)?;
        let mut id: u128 = 0;
        for &d in digits {
            let value = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                b'A'..=b'F' => d - b'A' + 10,
                _ => return None,
            };
            id = (id << 4) | u128::from(value);
        }
        self.0 = rest;
        self.tag(b"\"")?;
        Some(EventId(id))
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::deck::{CardId, DeckId};
    use crate::revlog::Event;
    use crate::time::Moment;

    /// What serde makes of a line, as the log reader calls it.
    fn by_serde(line: &[u8]) -> Option<Event> {
        serde_json::from_slice::<Event>(line).ok().filter(|e| e.v <= LOG_FORMAT)
    }

    /// The fast reader's event, with `v` as serde would read it.
    fn by_fast(line: &[u8]) -> Option<Event> {
        let l = parse(line)?;
        Some(Event {
            v: l.v,
            id: l.id,
            at_ms: l.at_ms,
            offset_s: l.offset_s,
            deck: DeckId(l.deck.into()),
            card: CardId(l.card.into()),
            action: l.action,
        })
    }

    /// The fast reader either does not recognise `line` or agrees with serde.
    fn agrees(line: &[u8]) -> bool {
        by_fast(line).is_none_or(|fast| by_serde(line) == Some(fast))
    }

    /// `recognised`: whether the fast reader should read the line itself.
    fn check(line: &str, recognised: bool) {
        let fast = by_fast(line.as_bytes());
        assert_eq!(fast.is_some(), recognised, "recognised? {line}");
        if let Some(fast) = fast {
            assert_eq!(by_serde(line.as_bytes()), Some(fast), "{line}");
        }
    }

    const ID: &str = "0123456789abcdef0123456789abcdef";

    fn line(middle: &str, tail: &str) -> String {
        format!(r#"{{"v":1,"id":"{ID}","at_ms":1795000000000,"offset_s":3600,{middle},{tail}}}"#)
    }

    #[test]
    fn the_writers_lines_are_read_and_every_other_form_is_left_to_serde() {
        let deck = r#""deck":"soviet-iran-dates","card":"ww2-soviet-entry-date""#;
        let review = r#""type":"review","rating":3,"kind":"learn","answer_ms":4200"#;
        let yes = [
            line(deck, review),
            line(deck, r#""type":"review","rating":1,"kind":"relearn","answer_ms":0"#),
            line(deck, r#""type":"review","rating":4,"kind":"cram","answer_ms":4294967295"#),
            line(deck, r#""type":"undo","target":"ffffffffffffffffffffffffffffffff""#),
            line(deck, r#""type":"undo","target":"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF""#),
            line(deck, r#""type":"bury""#),
            line(deck, r#""type":"suspend""#),
            line(deck, r#""type":"unsuspend""#),
            line(deck, r#""type":"reset""#),
            line(deck, r#""type":"send_to_review""#),
            line(r#""deck":"","card":"""#, review),
            line(r#""deck":"دروس","card":"کارت ۱""#, review),
            line(r#""deck":"a/b c'd","card":"{}[]:,""#, review),
            format!(r#"{{"v":0,"id":"{ID}","at_ms":-5,"offset_s":-18000,{deck},{review}}}"#),
            format!(r#"{{"v":1,"id":"{ID}","at_ms":0,"offset_s":0,{deck},{review}}}"#),
            format!(r#"{{"v":1,"id":"{ID}","at_ms":9223372036854775807,"offset_s":-2147483648,{deck},{review}}}"#),
        ];
        for l in &yes {
            check(l, true);
        }
        let no = [
            // Another type (a newer build's card edit, say): serde's business.
            line(deck, r#""type":"card_edit","question":"Q""#),
            line(deck, r#""type":"reviewed","rating":3,"kind":"learn","answer_ms":1"#),
            // A newer format.
            format!(r#"{{"v":2,"id":"{ID}","at_ms":1,"offset_s":0,{deck},{review}}}"#),
            // Spaces, another key order, duplicate or missing keys.
            format!(r#"{{"v": 1,"id":"{ID}","at_ms":1,"offset_s":0,{deck},{review}}}"#),
            format!(r#"{{"id":"{ID}","v":1,"at_ms":1,"offset_s":0,{deck},{review}}}"#),
            line(deck, &format!("{review} ")),
            format!(r#" {}"#, line(deck, review)),
            line(deck, r#""type":"review","kind":"learn","rating":3,"answer_ms":4200"#),
            line(deck, r#""type":"review","rating":3,"kind":"learn""#),
            line(deck, r#""type":"review","rating":3,"kind":"learn","answer_ms":1,"answer_ms":2"#),
            line(deck, r#""type":"review","rating":3,"kind":"learn","answer_ms":1,"target":"x""#),
            line(deck, r#""type":"bury","rating":3"#),
            line(deck, r#""type":"undo""#),
            // Escapes and control characters in strings.
            line(r#""deck":"a\"b","card":"c""#, review),
            line(r#""deck":"a\u0041","card":"c""#, review),
            line("\"deck\":\"a\tb\",\"card\":\"c\"", review),
            // Numbers not written plainly, or out of range.
            format!(r#"{{"v":01,"id":"{ID}","at_ms":1,"offset_s":0,{deck},{review}}}"#),
            format!(r#"{{"v":1,"id":"{ID}","at_ms":-0,"offset_s":0,{deck},{review}}}"#),
            format!(r#"{{"v":1,"id":"{ID}","at_ms":1.0,"offset_s":0,{deck},{review}}}"#),
            format!(r#"{{"v":1,"id":"{ID}","at_ms":1e3,"offset_s":0,{deck},{review}}}"#),
            format!(r#"{{"v":1,"id":"{ID}","at_ms":9223372036854775808,"offset_s":0,{deck},{review}}}"#),
            format!(r#"{{"v":1,"id":"{ID}","at_ms":1,"offset_s":2147483648,{deck},{review}}}"#),
            format!(r#"{{"v":1,"id":"{ID}","at_ms":1,"offset_s":+1,{deck},{review}}}"#),
            line(deck, r#""type":"review","rating":5,"kind":"learn","answer_ms":1"#),
            line(deck, r#""type":"review","rating":3.0,"kind":"learn","answer_ms":1"#),
            line(deck, r#""type":"review","rating":3,"kind":"learn","answer_ms":4294967296"#),
            line(deck, r#""type":"review","rating":3,"kind":"learn","answer_ms":-1"#),
            line(deck, r#""type":"review","rating":3,"kind":"Learn","answer_ms":1"#),
            // Ids that are not 32 hex digits.
            format!(r#"{{"v":1,"id":"+123456789abcdef0123456789abcdef","at_ms":1,"offset_s":0,{deck},{review}}}"#),
            format!(r#"{{"v":1,"id":"0123456789abcdef0123456789abcde","at_ms":1,"offset_s":0,{deck},{review}}}"#),
            format!(r#"{{"v":1,"id":"0123456789abcdef0123456789abcdef0","at_ms":1,"offset_s":0,{deck},{review}}}"#),
            format!(r#"{{"v":1,"id":"0123456789abcdeg0123456789abcdef","at_ms":1,"offset_s":0,{deck},{review}}}"#),
            // Cut off, or something after the end.
            line(deck, review).trim_end_matches('}').to_owned(),
            format!("{}x", line(deck, review)),
            format!("{}{{}}", line(deck, review)),
            String::new(),
        ];
        for l in &no {
            check(l, false);
        }
    }

    #[test]
    fn a_string_that_is_not_utf8_is_left_to_serde() {
        let mut bytes = line(r#""deck":"d","card":"c""#, r#""type":"bury""#).into_bytes();
        let at = bytes.windows(3).position(|w| w == b"\"d\"").unwrap() + 1;
        bytes[at] = 0xff;
        assert!(parse(&bytes).is_none());
        assert!(by_serde(&bytes).is_none());
    }

    fn any_action() -> impl Strategy<Value = Action> {
        prop_oneof![
            (1u8..=4, 0usize..4, any::<u32>()).prop_map(|(r, k, answer_ms)| Action::Review {
                rating: Rating::try_from(r).unwrap(),
                kind: [ReviewKind::Learn, ReviewKind::Review, ReviewKind::Relearn, ReviewKind::Cram][k],
                answer_ms,
            }),
            any::<u128>().prop_map(|t| Action::Undo { target: EventId(t) }),
            Just(Action::Bury),
            Just(Action::Suspend),
            Just(Action::Unsuspend),
            Just(Action::Reset),
            Just(Action::SendToReview),
        ]
    }

    fn any_event() -> impl Strategy<Value = Event> {
        (any::<u128>(), any::<i64>(), any::<i32>(), any::<String>(), ".*", any_action()).prop_map(
            |(id, at_ms, offset_s, deck, card, action)| {
                Event::new(EventId(id), Moment::new(at_ms, offset_s), DeckId(deck.into()), CardId(card.into()), action)
            },
        )
    }

    proptest! {
        /// Every line the writer makes is read to the same event both ways,
        /// and the fast reader reads every one whose strings need no escape.
        #[test]
        fn fast_and_serde_agree_on_every_written_line(event in any_event()) {
            let line = serde_json::to_vec(&event).unwrap();
            let plain = |s: &str| !s.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20);
            let fast = by_fast(&line);
            prop_assert_eq!(fast.is_some(), plain(&event.deck.0) && plain(&event.card.0));
            if let Some(fast) = fast {
                prop_assert_eq!(&fast, &event);
            }
            prop_assert_eq!(by_serde(&line), Some(event));
        }

        /// A written line with one byte changed, cut, or grown: whenever
        /// the fast reader still reads it, serde reads the same event.
        #[test]
        fn fast_never_reads_a_changed_line_differently(
            event in any_event(),
            at in any::<prop::sample::Index>(),
            byte in prop_oneof![any::<u8>(), prop::sample::select(b"0123456789-.eE+ \"\\{},:abcdefABCDEF".to_vec())],
            how in 0u8..3,
        ) {
            let mut line = serde_json::to_vec(&event).unwrap();
            let i = at.index(line.len());
            match how {
                0 => line[i] = byte,
                1 => line.insert(i, byte),
                _ => line.truncate(i),
            }
            prop_assert!(agrees(&line), "{}", String::from_utf8_lossy(&line));
        }
    }
}
