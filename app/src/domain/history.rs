//! A record's history as people read it: one line for one sitting, not one per field.
//!
//! Forms save each field as it is changed, so declaring a project writes a create and a
//! handful of sets within minutes. A person thinks of that as one save; the operation log
//! keeps every step, and this folds them for display.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// Edits by one person this close together (each within this of the one before) are one sitting.
pub const ONE_SITTING_MS: i64 = 30 * 60_000;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Change {
    Created {
        fields: BTreeSet<String>,
    },
    Edited {
        fields: BTreeSet<String>,
    },
    /// A state change, to this state's code.
    Moved {
        to: String,
    },
    Commented,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// When the sitting began (ms since the epoch).
    pub at: i64,
    /// When its last change was made.
    pub last_at: i64,
    pub actor: String,
    pub change: Change,
}

impl Entry {
    pub fn new(at: i64, actor: &str, change: Change) -> Entry {
        Entry { at, last_at: at, actor: actor.to_string(), change }
    }
}

/// Folds a history in time order: an edit joins the line before it when the same person
/// made both within `ONE_SITTING_MS` and that line is a creation or an edit. State changes
/// and comments always stand alone.
pub fn one_line_per_sitting(entries: Vec<Entry>) -> Vec<Entry> {
    let mut lines: Vec<Entry> = Vec::with_capacity(entries.len());
    for entry in entries {
        if let (Some(last), Change::Edited { fields }) = (lines.last_mut(), &entry.change) {
            let same_sitting = last.actor == entry.actor && entry.at - last.last_at <= ONE_SITTING_MS;
            if same_sitting {
                if let Change::Created { fields: all } | Change::Edited { fields: all } = &mut last.change {
                    all.extend(fields.iter().cloned());
                    last.last_at = entry.at;
                    continue;
                }
            }
        }
        lines.push(entry);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    const MINUTE: i64 = 60_000;

    #[test]
    fn a_declaration_saved_field_by_field_is_one_line() {
        let mut entries = vec![Entry::new(0, "li", Change::Created { fields: fields(&["title", "branch"]) })];
        for (i, field) in ["goals", "budget_fen", "budget_source", "team", "goals", "indicators", "starts_on"].iter().enumerate() {
            entries.push(Entry::new((i as i64 + 1) * MINUTE, "li", Change::Edited { fields: fields(&[field]) }));
        }
        let lines = one_line_per_sitting(entries);
        assert_eq!(lines.len(), 1, "{lines:?}");
        assert_eq!(
            lines[0].change,
            Change::Created { fields: fields(&["title", "branch", "goals", "budget_fen", "budget_source", "team", "indicators", "starts_on"]) }
        );
        assert_eq!((lines[0].at, lines[0].last_at), (0, 7 * MINUTE));
    }

    #[test]
    fn another_person_a_pause_a_state_change_or_a_comment_starts_a_new_line() {
        let edit = |at: i64, who: &str, field: &str| Entry::new(at, who, Change::Edited { fields: fields(&[field]) });
        let lines = one_line_per_sitting(vec![
            edit(0, "li", "goals"),
            edit(MINUTE, "wang", "goals"),
            edit(MINUTE + ONE_SITTING_MS + 1, "wang", "team"),
            Entry::new(100 * MINUTE, "wang", Change::Moved { to: "submitted".into() }),
            edit(101 * MINUTE, "wang", "team"),
            Entry::new(102 * MINUTE, "wang", Change::Commented),
            edit(103 * MINUTE, "wang", "notes"),
        ]);
        let kinds: Vec<(&str, &Change)> = lines.iter().map(|l| (l.actor.as_str(), &l.change)).collect();
        assert_eq!(kinds.len(), 7, "{kinds:?}");
        // A pause is measured from the last edit of the sitting, not its first.
        let long = one_line_per_sitting((0..5).map(|i| edit(i * 20 * MINUTE, "li", "goals")).collect());
        assert_eq!(long.len(), 1);
    }
}
