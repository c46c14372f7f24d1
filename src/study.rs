//! Joins decks and progress: the cards of a library in deck order with
//! their states, ready for the queue.

use crate::deck::{DeckId, Library};
use crate::revlog::Progress;
use crate::schedule::{CardState, Counts, Queue, Scheduler, build_queue_with_siblings, card_seed};
use crate::time::Moment;

/// A card's place in a library: deck index and card index.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CardRef {
    /// Index into `Library::decks`.
    pub deck: usize,
    /// Index into that deck's cards.
    pub card: usize,
}

/// Where the card `card` of deck `deck` is in `library`, if loaded.
pub fn find(library: &Library, deck: &str, card: &str) -> Option<CardRef> {
    library.decks.iter().enumerate().find_map(|(d, loaded)| {
        (loaded.deck.id.0 == deck)
            .then(|| loaded.deck.cards.iter().position(|c| c.id.0 == card).map(|c| CardRef { deck: d, card: c }))
            .flatten()
    })
}

/// The cards of `library` (only `deck` if given), in deck order, each with
/// its fuzz seed and state.
pub fn cards<'a>(
    library: &'a Library,
    progress: &'a Progress,
    deck: Option<&DeckId>,
) -> (Vec<CardRef>, Vec<(u64, Option<&'a CardState>)>) {
    let mut refs = Vec::new();
    let mut items = Vec::new();
    for (d, loaded) in library.decks.iter().enumerate() {
        if deck.is_some_and(|id| *id != loaded.deck.id) {
            continue;
        }
        // One lookup per deck, then one per card, without building keys.
        let states = progress.states.get(&loaded.deck.id);
        for (c, card) in loaded.deck.cards.iter().enumerate() {
            refs.push(CardRef { deck: d, card: c });
            items.push((card_seed(&loaded.deck.id.0, &card.id.0), states.and_then(|s| s.get(&card.id))));
        }
    }
    (refs, items)
}

/// Today's queue over `library` (or one deck), and the card each queue
/// index refers to.
pub fn queue(
    scheduler: &Scheduler,
    now: Moment,
    library: &Library,
    progress: &Progress,
    deck: Option<&DeckId>,
) -> (Queue, Vec<CardRef>) {
    let (refs, items) = cards(library, progress, deck);
    let done = progress.done_today(scheduler.day(now));
    let siblings = sibling_indices(library, &refs);
    (build_queue_with_siblings(scheduler, now, items, done, &siblings), refs)
}

/// Today's whole queue (as [`queue`]) and each deck's counts (as
/// [`deck_counts`], in library order), side by side on two threads: each
/// walks every card of a large deck.
pub fn queue_and_deck_counts(
    scheduler: &Scheduler,
    now: Moment,
    library: &Library,
    progress: &Progress,
) -> ((Queue, Vec<CardRef>), Vec<Counts>) {
    let every_deck =
        || library.decks.iter().map(|d| deck_counts(scheduler, now, library, progress, &d.deck.id)).collect::<Vec<_>>();
    std::thread::scope(|scope| {
        let decks = scope.spawn(every_deck);
        let queue = queue(scheduler, now, library, progress, None);
        (queue, decks.join().unwrap_or_else(|_| every_deck()))
    })
}

/// For each of `refs`, the positions in `refs` of its siblings (both ways);
/// empty when the library links no siblings.
pub fn sibling_indices(library: &Library, refs: &[CardRef]) -> Vec<Vec<usize>> {
    let pairs = library.sibling_pairs();
    if pairs.is_empty() {
        return Vec::new();
    }
    let linked: std::collections::HashSet<&str> = pairs.iter().map(|(a, _)| a.as_str()).collect();
    // Only cards of decks with a link can be linked: the others (a large
    // deck of the student's own, say) need no key made for each card.
    let linked_decks: std::collections::HashSet<&str> =
        linked.iter().filter_map(|key| key.split_once('/').map(|(deck, _)| deck)).collect();
    let mut position: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for (i, r) in refs.iter().enumerate() {
        let Some(loaded) = library.decks.get(r.deck) else { continue };
        if !linked_decks.contains(loaded.deck.id.0.as_str()) {
            continue;
        }
        let Some(card) = loaded.deck.cards.get(r.card) else { continue };
        let key = format!("{}/{}", loaded.deck.id.0, card.id.0);
        if linked.contains(key.as_str()) {
            position.insert(key, i);
        }
    }
    let mut out = vec![Vec::new(); refs.len()];
    for (a, b) in &pairs {
        if let (Some(&i), Some(&j)) = (position.get(a), position.get(b))
            && let Some(list) = out.get_mut(i)
        {
            list.push(j);
        }
    }
    out
}

/// Today's counts for one deck. The daily limits are shared by all decks,
/// so each deck's counts are capped by what is left of them today.
pub fn deck_counts(
    scheduler: &Scheduler,
    now: Moment,
    library: &Library,
    progress: &Progress,
    deck: &DeckId,
) -> Counts {
    let (refs, items) = cards(library, progress, Some(deck));
    let siblings = sibling_indices(library, &refs);
    build_queue_with_siblings(scheduler, now, items, progress.done_today(scheduler.day(now)), &siblings).counts
}
