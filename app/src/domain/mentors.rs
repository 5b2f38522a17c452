//! The mentor team (`mentors`, 导师帮带制): mentors of four kinds, paired one-to-one with
//! branches over dates, and the sessions they hold (辅导记录). Also the pairing graph's
//! shape: nodes, edges weighted by sessions, branches not visited lately.

use super::time::parse_date;
use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

pub const MENTOR_TABLE: &str = "mentor";
pub const PAIRING_TABLE: &str = "mentor_pairing";
pub const SESSION_TABLE: &str = "mentor_session";

/// A branch with no session for this many days is marked on the graph.
pub const QUIET_DAYS: i64 = 30;
/// A row of the pairing graph, in its units: a node's tap target is a row high, and a
/// phone draws the graph at about four-fifths of its size, still 44 px.
pub const GRAPH_ROW: f64 = 56.0;

pub const KIND_CODES: &[&str] = &["street_leader", "secretary", "governance_expert", "property_expert"];
pub const FORM_CODES: &[&str] = &["one_to_one", "hands_on", "face_to_face"];
pub const OUTCOME_CODES: &[&str] = &["topic", "rule", "activity"];

/// A pairing of a mentor and a branch, from `starts_on` until `ends_on` (inclusive;
/// `None` while it runs).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pairing {
    pub key: String,
    pub mentor: String,
    pub branch: String,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    /// Street staff paired this mentor with a further branch on purpose.
    pub additional: bool,
}

/// A pairing's fields as stored, and as an operation's fields merged over them.
#[derive(Deserialize)]
struct PairingFields {
    #[serde(default)]
    mentor: String,
    #[serde(default)]
    branch: String,
    #[serde(default)]
    starts_on: String,
    ends_on: Option<String>,
    #[serde(default)]
    additional: bool,
}

impl Pairing {
    /// The pairing these fields describe; `None` without a readable start.
    pub fn from_fields(key: &str, fields: &serde_json::Map<String, serde_json::Value>) -> Option<Pairing> {
        let row: PairingFields = serde_json::from_value(serde_json::Value::Object(fields.clone())).ok()?;
        Some(Pairing {
            key: key.to_string(),
            mentor: row.mentor,
            branch: row.branch,
            starts_on: parse_date(&row.starts_on)?,
            ends_on: row.ends_on.as_deref().and_then(parse_date),
            additional: row.additional,
        })
    }

    pub fn runs_on(&self, day: NaiveDate) -> bool {
        self.starts_on <= day && self.ends_on.is_none_or(|end| day <= end)
    }

    fn overlaps(&self, other: &Pairing) -> bool {
        let end = |p: &Pairing| p.ends_on.unwrap_or(NaiveDate::MAX);
        self.starts_on <= end(other) && other.starts_on <= end(self)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum MentorProblem {
    /// The branch already has a mentor over these dates.
    #[error("the branch has a mentor")]
    BranchTaken { mentor: String },
    /// The mentor already holds a branch; only a deliberate further pairing may add one.
    #[error("the mentor has a branch")]
    MentorTaken { branch: String },
    #[error("ends before it starts")]
    EndsBeforeStart,
    /// A session by a mentor not paired with the branch on its date.
    #[error("not paired")]
    NotPaired { date: String },
    /// Only the mentor writes their sessions.
    #[error("not this mentor's")]
    NotYourSession,
}

/// Checks a new or changed pairing against the others. `names` gives mentors' and
/// branches' names for the message.
pub fn check_pairing(pairing: &Pairing, others: &[Pairing], names: &dyn Fn(&str) -> String) -> Result<(), MentorProblem> {
    if pairing.ends_on.is_some_and(|end| end < pairing.starts_on) {
        return Err(MentorProblem::EndsBeforeStart);
    }
    for other in others.iter().filter(|o| o.key != pairing.key && o.overlaps(pairing)) {
        if other.branch == pairing.branch {
            return Err(MentorProblem::BranchTaken { mentor: names(&other.mentor) });
        }
        // Either of the two made a further pairing on purpose.
        if other.mentor == pairing.mentor && !pairing.additional && !other.additional {
            return Err(MentorProblem::MentorTaken { branch: names(&other.branch) });
        }
    }
    Ok(())
}

/// A session may be logged only by a mentor paired with the branch on its date.
pub fn check_session(mentor: &str, branch: &str, date: NaiveDate, pairings: &[Pairing]) -> Result<(), MentorProblem> {
    if pairings.iter().any(|p| p.mentor == mentor && p.branch == branch && p.runs_on(date)) {
        Ok(())
    } else {
        Err(MentorProblem::NotPaired { date: date.to_string() })
    }
}

/// A session as the graph needs it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionFact {
    pub mentor: String,
    pub branch: String,
    pub date: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub key: String,
    pub name: String,
    /// A mentor's kind; `None` for a branch.
    pub kind: Option<String>,
    pub x: f64,
    pub y: f64,
    /// A branch with no session in the last `QUIET_DAYS` days.
    pub quiet: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Edge {
    pub mentor: String,
    pub branch: String,
    pub sessions: usize,
    /// The pairing runs today (an ended one is drawn faintly).
    pub current: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Graph {
    pub mentors: Vec<Node>,
    pub branches: Vec<Node>,
    pub edges: Vec<Edge>,
    pub width: f64,
    pub height: f64,
}

/// Lays the pairing graph out in two columns, mentors left and branches right, each
/// mentor across from its branch where it can be, so edges rarely cross and the graph
/// reads at phone width.
pub fn graph(mentors: &[(String, String, String)], branches: &[(String, String)], pairings: &[Pairing], sessions: &[SessionFact], today: NaiveDate) -> Graph {
    const ROW: f64 = GRAPH_ROW;
    let current = |p: &Pairing| p.runs_on(today);
    // Branches in order of their current mentor's place, then the rest.
    let mut branch_order: Vec<&(String, String)> = branches.iter().collect();
    let place = |branch: &str| {
        pairings.iter().filter(|p| current(p) && p.branch == branch).filter_map(|p| mentors.iter().position(|m| m.0 == p.mentor)).min().unwrap_or(usize::MAX)
    };
    branch_order.sort_by_key(|b| place(&b.0));
    let rows = mentors.len().max(branches.len()).max(1) as f64;
    let height = rows * ROW + ROW;
    let step = |count: usize| if count == 0 { ROW } else { (height - ROW) / count as f64 };
    let since = today - Duration::days(QUIET_DAYS);
    let mentor_nodes = mentors
        .iter()
        .enumerate()
        .map(|(i, (key, name, kind))| Node {
            key: key.clone(),
            name: name.clone(),
            kind: Some(kind.clone()),
            x: 90.0,
            y: ROW / 2.0 + (i as f64 + 0.5) * step(mentors.len()),
            quiet: false,
        })
        .collect();
    let branch_nodes = branch_order
        .iter()
        .enumerate()
        .map(|(i, (key, name))| Node {
            key: key.clone(),
            name: name.clone(),
            kind: None,
            x: 250.0,
            y: ROW / 2.0 + (i as f64 + 0.5) * step(branches.len()),
            quiet: !sessions.iter().any(|s| &s.branch == key && s.date > since && s.date <= today),
        })
        .collect();
    let mut edges: Vec<Edge> = Vec::new();
    for pairing in pairings {
        let held = sessions.iter().filter(|s| s.mentor == pairing.mentor && s.branch == pairing.branch).count();
        match edges.iter_mut().find(|e| e.mentor == pairing.mentor && e.branch == pairing.branch) {
            Some(edge) => edge.current |= current(pairing),
            None => edges.push(Edge { mentor: pairing.mentor.clone(), branch: pairing.branch.clone(), sessions: held, current: current(pairing) }),
        }
    }
    Graph { mentors: mentor_nodes, branches: branch_nodes, edges, width: 400.0, height }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(text: &str) -> NaiveDate {
        NaiveDate::parse_from_str(text, "%Y-%m-%d").unwrap()
    }

    fn pairing(key: &str, mentor: &str, branch: &str, from: &str, to: Option<&str>) -> Pairing {
        Pairing { key: key.into(), mentor: mentor.into(), branch: branch.into(), starts_on: date(from), ends_on: to.map(date), additional: false }
    }

    fn name(key: &str) -> String {
        format!("名{key}")
    }

    #[test]
    fn a_branch_has_one_mentor_at_a_time() {
        let held = [pairing("p1", "liu", "wenxing", "2026-03-01", None)];
        let second = pairing("p2", "chen", "wenxing", "2026-05-01", None);
        assert_eq!(check_pairing(&second, &held, &name), Err(MentorProblem::BranchTaken { mentor: "名liu".into() }));
        // After the first pairing ended, the branch may have another mentor.
        let ended = [pairing("p1", "liu", "wenxing", "2026-03-01", Some("2026-04-30"))];
        assert_eq!(check_pairing(&second, &ended, &name), Ok(()));
    }

    #[test]
    fn a_mentor_holds_one_branch_unless_paired_again_on_purpose() {
        let held = [pairing("p1", "liu", "wenxing", "2026-03-01", None)];
        let mut another = pairing("p2", "liu", "taihe", "2026-05-01", None);
        assert_eq!(check_pairing(&another, &held, &name), Err(MentorProblem::MentorTaken { branch: "名wenxing".into() }));
        another.additional = true;
        assert_eq!(check_pairing(&another, &held, &name), Ok(()));
        let backwards = pairing("p3", "chen", "xinghe", "2026-05-01", Some("2026-04-01"));
        assert_eq!(check_pairing(&backwards, &held, &name), Err(MentorProblem::EndsBeforeStart));
        // Editing a pairing is not a clash with itself.
        assert_eq!(check_pairing(&held[0], &held, &name), Ok(()));
    }

    #[test]
    fn sessions_need_a_pairing_on_their_date() {
        let pairings = [pairing("p1", "liu", "wenxing", "2026-03-01", Some("2026-06-30"))];
        assert_eq!(check_session("liu", "wenxing", date("2026-06-30"), &pairings), Ok(()));
        assert_eq!(check_session("liu", "wenxing", date("2026-07-01"), &pairings), Err(MentorProblem::NotPaired { date: "2026-07-01".into() }));
        assert!(check_session("chen", "wenxing", date("2026-05-01"), &pairings).is_err());
        assert!(check_session("liu", "taihe", date("2026-05-01"), &pairings).is_err());
    }

    #[test]
    fn the_graph_weighs_edges_by_sessions_and_marks_quiet_branches() {
        let mentors = vec![("liu".to_string(), "刘建国".to_string(), "street_leader".to_string()), ("chen".into(), "陈芳".into(), "governance_expert".into())];
        let branches = vec![("wenxing".to_string(), "文兴社区".to_string()), ("taihe".into(), "太和社区".into())];
        let pairings = [pairing("p1", "liu", "taihe", "2026-03-01", None), pairing("p2", "chen", "wenxing", "2026-03-01", None)];
        let sessions = [
            SessionFact { mentor: "liu".into(), branch: "taihe".into(), date: date("2026-11-20") },
            SessionFact { mentor: "liu".into(), branch: "taihe".into(), date: date("2026-10-01") },
            SessionFact { mentor: "chen".into(), branch: "wenxing".into(), date: date("2026-09-01") },
        ];
        let g = graph(&mentors, &branches, &pairings, &sessions, date("2026-11-25"));
        let edge = |m: &str| g.edges.iter().find(|e| e.mentor == m).unwrap();
        assert_eq!(edge("liu").sessions, 2);
        assert_eq!(edge("chen").sessions, 1);
        let node = |b: &str| g.branches.iter().find(|n| n.key == b).unwrap();
        assert!(!node("taihe").quiet);
        assert!(node("wenxing").quiet, "last session 85 days ago");
        // Each branch sits across from its mentor: 太和 (刘) first.
        assert_eq!(g.branches[0].key, "taihe");
        assert!(g.mentors.iter().all(|n| n.y > 0.0 && n.y < g.height));
    }
}
