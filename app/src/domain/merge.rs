//! Merge rules of sync. Plain fields merge last-writer-wins by clock stamp; appended
//! lists only grow, so appends never conflict; state changes are validated elsewhere.

use super::hlc::Stamp;

/// What happens to one field when an operation sets it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldMerge {
    /// The incoming value is newer: it is written.
    Applied,
    /// Someone else wrote the field with a later stamp: the incoming value loses.
    Superseded,
}

/// Last-writer-wins for one field. Ties cannot happen between different operations
/// (the node is part of the stamp); an equal stamp is the same write replayed.
pub fn merge_field(incoming: &Stamp, current: Option<&Stamp>) -> FieldMerge {
    match current {
        Some(current) if current >= incoming => FieldMerge::Superseded,
        _ => FieldMerge::Applied,
    }
}

/// Same rule on the stamps' text form, as the database stores them.
pub fn merge_field_text(incoming: &str, current: Option<&str>) -> FieldMerge {
    match current {
        Some(current) if current >= incoming => FieldMerge::Superseded,
        _ => FieldMerge::Applied,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(ms: u64, c: u32, n: &str) -> Stamp {
        Stamp { ms, counter: c, node: n.into() }
    }

    fn check(incoming: Stamp, current: Option<Stamp>, expected: FieldMerge) {
        assert_eq!(merge_field(&incoming, current.as_ref()), expected);
        let text = current.as_ref().map(|c| c.to_string());
        assert_eq!(merge_field_text(&incoming.to_string(), text.as_deref()), expected);
    }

    #[test]
    fn last_writer_wins() {
        check(s(5, 0, "a"), None, FieldMerge::Applied);
        check(s(5, 0, "a"), Some(s(4, 9, "b")), FieldMerge::Applied);
        check(s(5, 1, "a"), Some(s(5, 0, "b")), FieldMerge::Applied);
        check(s(5, 0, "b"), Some(s(5, 0, "a")), FieldMerge::Applied);
        check(s(5, 0, "a"), Some(s(5, 0, "b")), FieldMerge::Superseded);
        check(s(4, 0, "a"), Some(s(5, 0, "a")), FieldMerge::Superseded);
        check(s(5, 0, "a"), Some(s(5, 0, "a")), FieldMerge::Superseded);
    }

    #[test]
    fn merging_in_any_order_converges() {
        // Three writers' stamps applied in every order leave the same winner.
        let stamps = [s(3, 0, "a"), s(3, 0, "b"), s(2, 5, "c")];
        let orders = [[0, 1, 2], [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0]];
        for order in orders {
            let mut current: Option<Stamp> = None;
            for i in order {
                if merge_field(&stamps[i], current.as_ref()) == FieldMerge::Applied {
                    current = Some(stamps[i].clone());
                }
            }
            assert_eq!(current, Some(s(3, 0, "b")));
        }
    }
}
