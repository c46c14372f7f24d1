//! Scoring an exam attempt: each answer judged (typed answers by the shared
//! checker), the score, and the result by era, topic and kind.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Correct, ERAS, Exam, ExamCard};
use crate::answer::{self, Verdict};

/// What the student answered.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Given {
    /// Nothing.
    #[default]
    None,
    /// An option's index.
    Option {
        /// 0-based.
        index: usize,
    },
    /// Typed text.
    Text {
        /// As typed.
        text: String,
    },
    /// True or false.
    Bool {
        /// The choice.
        value: bool,
    },
    /// An order of the options, earliest first.
    Order {
        /// Option indices.
        order: Vec<usize>,
    },
}

/// How a near miss on a typed name counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AlmostCounts {
    /// As right.
    Full,
    /// As half a mark.
    #[default]
    Half,
    /// As wrong.
    None,
}

/// The judgement of one answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Mark {
    /// Right.
    Right,
    /// A near miss on a name.
    Almost,
    /// Wrong.
    Wrong,
    /// Not answered.
    Blank,
    /// A timeline with some pairs of events in the right order (partial
    /// credit).
    Partly,
    /// A typed answer the checker marked wrong, which the student said was
    /// right: counted as right, and shown as an appeal.
    Appealed,
}

/// How an attempt is marked.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Marking {
    /// How a near miss on a typed name counts.
    pub almost: AlmostCounts,
    /// Timelines earn the fraction of pairs of events in the right order,
    /// rather than all or nothing.
    pub partial_timelines: bool,
    /// Questions (0-based) whose typed answer the student appealed.
    pub appeals: Vec<usize>,
}

/// The fraction of pairs of events that `chosen` puts in the same order as
/// `order` (1 when all are right, 0 when all are reversed).
pub fn pairs_in_order(order: &[usize], chosen: &[usize]) -> f32 {
    let position = |list: &[usize], x: usize| list.iter().position(|&y| y == x);
    let mut right = 0u32;
    let mut pairs = 0u32;
    for (a, &x) in order.iter().enumerate() {
        for &y in order.iter().skip(a + 1) {
            pairs += 1;
            if let (Some(px), Some(py)) = (position(chosen, x), position(chosen, y))
                && px < py
            {
                right += 1;
            }
        }
    }
    if pairs == 0 { 0.0 } else { right as f32 / pairs as f32 }
}

/// Whether a typed answer can be appealed: it was judged, and not right.
pub fn can_appeal(correct: &Correct, given: &Given) -> bool {
    matches!((correct, given), (Correct::Text { .. }, Given::Text { text }) if !text.trim().is_empty())
        && matches!(mark(correct, given), Mark::Wrong | Mark::Almost)
}

/// The points one answer earns under `marking`, and its mark.
pub fn points(question: usize, correct: &Correct, given: &Given, marking: &Marking) -> (Mark, f32) {
    if marking.appeals.contains(&question) && can_appeal(correct, given) {
        return (Mark::Appealed, 1.0);
    }
    let m = mark(correct, given);
    match (m, correct, given) {
        (Mark::Right, ..) => (m, 1.0),
        (Mark::Almost, ..) => match marking.almost {
            AlmostCounts::Full => (m, 1.0),
            AlmostCounts::Half => (m, 0.5),
            AlmostCounts::None => (m, 0.0),
        },
        (Mark::Wrong, Correct::Order { order }, Given::Order { order: chosen }) if marking.partial_timelines => {
            let fraction = pairs_in_order(order, chosen);
            if fraction > 0.0 { (Mark::Partly, fraction) } else { (m, 0.0) }
        }
        _ => (m, 0.0),
    }
}

/// Right answers out of questions, for a group.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Tally {
    /// Points earned (almost may be half).
    pub points: f32,
    /// Questions.
    pub questions: u32,
}

impl Tally {
    /// Points as a fraction, 0 when empty.
    pub fn fraction(&self) -> f32 {
        if self.questions == 0 { 0.0 } else { self.points / self.questions as f32 }
    }
}

/// A scored attempt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scored {
    /// One mark per question.
    pub marks: Vec<Mark>,
    /// The points each question earned.
    pub points: Vec<f32>,
    /// The whole exam.
    pub total: Tally,
    /// By era tag.
    pub by_era: BTreeMap<String, Tally>,
    /// By topic tag.
    pub by_topic: BTreeMap<String, Tally>,
    /// By card kind.
    pub by_kind: BTreeMap<String, Tally>,
}

/// Judges one answer.
pub fn mark(correct: &Correct, given: &Given) -> Mark {
    match (correct, given) {
        (_, Given::None) => Mark::Blank,
        (Correct::Option { index }, Given::Option { index: chosen }) => {
            if index == chosen {
                Mark::Right
            } else {
                Mark::Wrong
            }
        }
        (Correct::Text { answer, accept }, Given::Text { text }) => {
            if text.trim().is_empty() {
                return Mark::Blank;
            }
            match answer::check(text, answer, accept) {
                Verdict::Correct => Mark::Right,
                Verdict::Almost => Mark::Almost,
                Verdict::Wrong => Mark::Wrong,
            }
        }
        (Correct::Bool { value }, Given::Bool { value: chosen }) => {
            if value == chosen {
                Mark::Right
            } else {
                Mark::Wrong
            }
        }
        (Correct::Order { order }, Given::Order { order: chosen }) => {
            if order == chosen {
                Mark::Right
            } else {
                Mark::Wrong
            }
        }
        _ => Mark::Wrong,
    }
}

/// Scores `given` (one answer per question) against `exam`; `cards` gives
/// each question's tags and kind.
pub fn score(exam: &Exam, given: &[Given], cards: &[ExamCard], marking: &Marking) -> Scored {
    let mut scored = Scored {
        marks: Vec::new(),
        points: Vec::new(),
        total: Tally::default(),
        by_era: BTreeMap::new(),
        by_topic: BTreeMap::new(),
        by_kind: BTreeMap::new(),
    };
    for (i, question) in exam.questions.iter().enumerate() {
        let (m, points) = points(i, &question.correct, given.get(i).unwrap_or(&Given::None), marking);
        scored.marks.push(m);
        scored.points.push(points);
        let add = |tally: &mut Tally| {
            tally.points += points;
            tally.questions += 1;
        };
        add(&mut scored.total);
        // A question counts once in each group its cards belong to.
        let sources: Vec<&ExamCard> = question
            .cards
            .iter()
            .filter_map(|r| cards.iter().find(|c| format!("{}/{}", c.deck, c.card) == *r))
            .collect();
        let mut eras: Vec<&str> = Vec::new();
        let mut topics: Vec<&str> = Vec::new();
        let mut kinds: Vec<&str> = Vec::new();
        for card in &sources {
            for tag in &card.tags {
                if ERAS.contains(&tag.as_str()) {
                    eras.push(tag);
                } else {
                    topics.push(tag);
                }
            }
            kinds.push(card.kind.name());
        }
        for list in [&mut eras, &mut topics, &mut kinds] {
            list.sort_unstable();
            list.dedup();
        }
        for era in eras {
            add(scored.by_era.entry(era.to_owned()).or_default());
        }
        for topic in topics {
            add(scored.by_topic.entry(topic.to_owned()).or_default());
        }
        for kind in kinds {
            add(scored.by_kind.entry(kind.to_owned()).or_default());
        }
    }
    scored
}
