//! Party-building projects (`projects`): the five categories, the "1+N" tiers, the
//! "1+5" rule and the lifecycle from draft to completion, with who may move a project.

use super::org::{Actor, Role};
use serde::{Deserialize, Serialize};

/// 五大类型.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 服务民生
    Livelihood,
    /// 学习教育
    Education,
    /// 党员管理
    MemberManagement,
    /// 纪律作风
    Discipline,
    /// 业务规范
    Standards,
}

impl Category {
    pub const ALL: [Category; 5] = [Category::Livelihood, Category::Education, Category::MemberManagement, Category::Discipline, Category::Standards];

    pub fn code(self) -> &'static str {
        match self {
            Category::Livelihood => "livelihood",
            Category::Education => "education",
            Category::MemberManagement => "member_management",
            Category::Discipline => "discipline",
            Category::Standards => "standards",
        }
    }

    pub fn from_code(code: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// "1+N": one key project plus any number of general or micro projects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tier {
    /// 重点项目
    Key,
    /// 一般项目
    General,
    /// 微项目
    Micro,
}

impl Tier {
    pub const ALL: [Tier; 3] = [Tier::Key, Tier::General, Tier::Micro];

    pub fn code(self) -> &'static str {
        match self {
            Tier::Key => "key",
            Tier::General => "general",
            Tier::Micro => "micro",
        }
    }

    pub fn from_code(code: &str) -> Option<Tier> {
        Tier::ALL.into_iter().find(|t| t.code() == code)
    }
}

/// 热点、重点、难点、盲点、亮点.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Principle {
    Hotspot,
    Focus,
    Difficulty,
    BlindSpot,
    Highlight,
}

impl Principle {
    pub const ALL: [Principle; 5] = [Principle::Hotspot, Principle::Focus, Principle::Difficulty, Principle::BlindSpot, Principle::Highlight];

    pub fn code(self) -> &'static str {
        match self {
            Principle::Hotspot => "hotspot",
            Principle::Focus => "focus",
            Principle::Difficulty => "difficulty",
            Principle::BlindSpot => "blind_spot",
            Principle::Highlight => "highlight",
        }
    }

    pub fn from_code(code: &str) -> Option<Principle> {
        Principle::ALL.into_iter().find(|p| p.code() == code)
    }
}

/// 申报 → 审核 → 备案 → 实施 → 完成, or back to the branch with a reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Draft,
    Submitted,
    InReview,
    Returned,
    Filed,
    InProgress,
    Completed,
}

impl Status {
    pub const ALL: [Status; 7] = [Status::Draft, Status::Submitted, Status::InReview, Status::Returned, Status::Filed, Status::InProgress, Status::Completed];

    pub fn code(self) -> &'static str {
        match self {
            Status::Draft => "draft",
            Status::Submitted => "submitted",
            Status::InReview => "in_review",
            Status::Returned => "returned",
            Status::Filed => "filed",
            Status::InProgress => "in_progress",
            Status::Completed => "completed",
        }
    }

    pub fn from_code(code: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|s| s.code() == code)
    }

    /// Has the street accepted the project (备案)? Filed projects count toward the register.
    pub fn is_filed(self) -> bool {
        matches!(self, Status::Filed | Status::InProgress | Status::Completed)
    }

    /// May the branch still change the declaration's fields?
    pub fn is_editable(self) -> bool {
        matches!(self, Status::Draft | Status::Returned)
    }
}

/// One weighted indicator of the assessment scheme (考核机制).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Indicator {
    pub name: String,
    /// Percent; the scheme's weights sum to 100.
    pub weight: u32,
}

/// The "1+5" of a project: what must be set before it may be submitted or filed.
/// Its fields carry the names the project record stores them under, so a stored project
/// reads straight into it (unset fields are empty).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct OnePlusFive {
    /// Account key of the 包联领导.
    pub liaison_leader: Option<String>,
    /// Name of the 责任人.
    pub responsible: String,
    /// 项目经费 in fen (1/100 yuan), so sums are exact.
    pub budget_fen: Option<i64>,
    pub budget_source: String,
    /// 工作队伍: members' names.
    pub team: Vec<String>,
    /// 考核机制.
    pub indicators: Vec<Indicator>,
}

/// Which of the five is missing or wrong, named for the person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum OnePlusFiveProblem {
    #[error("no liaison leader")]
    MissingLiaisonLeader,
    #[error("the liaison leader does not hold that role")]
    LiaisonLeaderNotInRole,
    #[error("no responsible person")]
    MissingResponsible,
    #[error("no budget")]
    MissingBudget,
    #[error("budget must be above zero")]
    BudgetNotPositive,
    #[error("no budget source")]
    MissingBudgetSource,
    #[error("no work team")]
    MissingTeam,
    #[error("no assessment scheme")]
    MissingAssessment,
    #[error("indicator weights sum to {sum}, not 100")]
    WeightsNotHundred { sum: u32 },
    #[error("an indicator has no name or no weight")]
    IndicatorIncomplete,
}

impl OnePlusFiveProblem {
    /// Which of the five this problem belongs to (0 liaison, 1 responsible, 2 budget,
    /// 3 team, 4 assessment), so the UI marks the right part of the panel.
    pub fn part(&self) -> usize {
        use OnePlusFiveProblem::*;
        match self {
            MissingLiaisonLeader | LiaisonLeaderNotInRole => 0,
            MissingResponsible => 1,
            MissingBudget | BudgetNotPositive | MissingBudgetSource => 2,
            MissingTeam => 3,
            MissingAssessment | WeightsNotHundred { .. } | IndicatorIncomplete => 4,
        }
    }
}

/// Every problem with the five, in panel order; empty when complete.
/// `liaison_holds_role` says whether the chosen liaison leader's account has that role.
pub fn check_one_plus_five(five: &OnePlusFive, liaison_holds_role: bool) -> Vec<OnePlusFiveProblem> {
    use OnePlusFiveProblem::*;
    let mut problems = Vec::new();
    match &five.liaison_leader {
        None => problems.push(MissingLiaisonLeader),
        Some(key) if key.trim().is_empty() => problems.push(MissingLiaisonLeader),
        Some(_) if !liaison_holds_role => problems.push(LiaisonLeaderNotInRole),
        Some(_) => {}
    }
    if five.responsible.trim().is_empty() {
        problems.push(MissingResponsible);
    }
    match five.budget_fen {
        None => problems.push(MissingBudget),
        Some(fen) if fen <= 0 => problems.push(BudgetNotPositive),
        Some(_) => {}
    }
    if five.budget_source.trim().is_empty() {
        problems.push(MissingBudgetSource);
    }
    if five.team.iter().all(|member| member.trim().is_empty()) {
        problems.push(MissingTeam);
    }
    if five.indicators.is_empty() {
        problems.push(MissingAssessment);
    } else {
        if five.indicators.iter().any(|i| i.name.trim().is_empty() || i.weight == 0) {
            problems.push(IndicatorIncomplete);
        }
        let sum: u32 = five.indicators.iter().map(|i| i.weight).sum();
        if sum != 100 {
            problems.push(WeightsNotHundred { sum });
        }
    }
    problems
}

/// How many of the five parts are complete (for cards and the board).
pub fn one_plus_five_done(five: &OnePlusFive, liaison_holds_role: bool) -> usize {
    let problems = check_one_plus_five(five, liaison_holds_role);
    (0..5).filter(|part| !problems.iter().any(|p| p.part() == *part)).count()
}

/// "1+N": a branch has at most one key project a year. `other_key_projects` counts the
/// branch's other live key projects of the same year (returned drafts included).
pub fn check_one_plus_n(tier: Tier, other_key_projects: usize) -> Result<(), ProjectError> {
    if tier == Tier::Key && other_key_projects > 0 {
        Err(ProjectError::SecondKeyProject)
    } else {
        Ok(())
    }
}

/// A project is counted in its year (the board, the dashboard, "1+N"): the year must lie
/// within its planned period, from the year it starts to the year it ends. Dates are
/// `YYYY-MM-DD` or empty (not planned yet: any year).
pub fn check_year(year: i64, starts_on: &str, ends_on: &str) -> Result<(), ProjectError> {
    let year_of = |date: &str| date.get(..4).and_then(|y| y.parse::<i64>().ok());
    let first = year_of(starts_on).or_else(|| year_of(ends_on));
    let last = year_of(ends_on).or_else(|| year_of(starts_on));
    match (first, last) {
        (Some(first), Some(last)) if year < first || year > last => Err(ProjectError::YearOutsidePeriod { year, first, last }),
        _ => Ok(()),
    }
}

/// The year a declaration is counted in by default: the year its planned start falls in.
pub fn default_year(starts_on: &str, this_year: i64) -> i64 {
    starts_on.get(..4).and_then(|y| y.parse().ok()).unwrap_or(this_year)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum ProjectError {
    #[error("the year lies outside the planned period")]
    YearOutsidePeriod { year: i64, first: i64, last: i64 },
    #[error("a second key project in one year")]
    SecondKeyProject,
    #[error("the 1+5 is incomplete")]
    Incomplete { problems: Vec<OnePlusFiveProblem> },
    #[error("no such move")]
    NoSuchTransition,
    #[error("this role may not make this move")]
    WrongRole,
    #[error("a return needs a reason")]
    ReturnNeedsReason,
    #[error("the yearly nomination quota is used up")]
    QuotaReached { quota: u32 },
    #[error("only filed projects can be nominated")]
    NotFiled,
    #[error("the project can no longer be edited")]
    NotEditable,
}

/// Who moves a project from one status to another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mover {
    /// Staff of the project's own branch.
    Branch,
    /// Street staff.
    Street,
}

/// The lifecycle's edges and who may take each.
pub fn transition_mover(from: Status, to: Status) -> Option<Mover> {
    use Status::*;
    match (from, to) {
        (Draft, Submitted) => Some(Mover::Branch),
        (Submitted, InReview) => Some(Mover::Street),
        (Submitted | InReview, Filed) => Some(Mover::Street),
        (Submitted | InReview, Returned) => Some(Mover::Street),
        (Returned, Draft) => Some(Mover::Branch),
        (Returned, Submitted) => Some(Mover::Branch),
        (Filed, InProgress) => Some(Mover::Branch),
        (InProgress, Completed) => Some(Mover::Branch),
        _ => None,
    }
}

/// The states a project may reach `to` from, and who moves it from each: what a refused
/// move tells the person instead of only "not allowed".
pub fn ways_into(to: Status) -> Vec<(Status, Mover)> {
    Status::ALL.into_iter().filter_map(|from| transition_mover(from, to).map(|mover| (from, mover))).collect()
}

/// Checks a status change of a project of `branch` by `actor`. Submitting and filing
/// need the 1+5 complete (`problems` from `check_one_plus_five`); returning needs a reason.
pub fn check_transition(
    actor: &Actor,
    branch: &str,
    from: Status,
    to: Status,
    problems: &[OnePlusFiveProblem],
    note: Option<&str>,
) -> Result<(), ProjectError> {
    let mover = transition_mover(from, to).ok_or(ProjectError::NoSuchTransition)?;
    let allowed = match mover {
        Mover::Street => actor.role == Role::StreetStaff,
        Mover::Branch => actor.role.is_branch_staff() && actor.branch.as_deref() == Some(branch),
    };
    if !allowed {
        return Err(ProjectError::WrongRole);
    }
    if matches!(to, Status::Submitted | Status::Filed) && !problems.is_empty() {
        return Err(ProjectError::Incomplete { problems: problems.to_vec() });
    }
    if to == Status::Returned && note.is_none_or(|n| n.trim().is_empty()) {
        return Err(ProjectError::ReturnNeedsReason);
    }
    Ok(())
}

/// 区级党建示范项目: where a nomination stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Nomination {
    Nominated,
    Selected,
    NotSelected,
}

/// The article's street nominated 5 projects to the district in a year.
pub const DEFAULT_NOMINATION_QUOTA: u32 = 5;

/// A new nomination needs a filed project and room in the year's quota.
pub fn check_nomination(status: Status, nominated_this_year: u32, quota: u32) -> Result<(), ProjectError> {
    if !status.is_filed() {
        return Err(ProjectError::NotFiled);
    }
    if nominated_this_year >= quota {
        return Err(ProjectError::QuotaReached { quota });
    }
    Ok(())
}

/// 备案号: `SBS-2026-007` for the seventh project filed in 2026.
pub fn filing_number(year: i32, sequence: u32) -> String {
    format!("SBS-{year}-{sequence:03}")
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_project_is_counted_in_a_year_of_its_period() {
        use super::{check_year, default_year, ProjectError};
        assert_eq!(check_year(2026, "2027-01-01", "2027-06-30"), Err(ProjectError::YearOutsidePeriod { year: 2026, first: 2027, last: 2027 }));
        assert_eq!(check_year(2027, "2027-01-01", "2027-06-30"), Ok(()));
        assert_eq!(check_year(2027, "2026-09-01", "2027-06-30"), Ok(()), "a period across the new year counts in either");
        assert_eq!(check_year(2028, "2026-09-01", "2027-06-30").is_err(), true);
        assert_eq!(check_year(2026, "", ""), Ok(()), "not planned yet");
        assert_eq!(check_year(2026, "2027-03-01", ""), Err(ProjectError::YearOutsidePeriod { year: 2026, first: 2027, last: 2027 }));
        assert_eq!(default_year("2027-01-05", 2026), 2027);
        assert_eq!(default_year("", 2026), 2026);
    }

    use super::*;

    #[test]
    fn a_state_names_where_it_is_reached_from_and_by_whom() {
        assert_eq!(ways_into(Status::Filed), vec![(Status::Submitted, Mover::Street), (Status::InReview, Mover::Street)]);
        assert_eq!(ways_into(Status::Submitted), vec![(Status::Draft, Mover::Branch), (Status::Returned, Mover::Branch)]);
        assert_eq!(ways_into(Status::Completed), vec![(Status::InProgress, Mover::Branch)]);
    }
    use OnePlusFiveProblem::*;

    fn complete() -> OnePlusFive {
        OnePlusFive {
            liaison_leader: Some("wanghaitao".into()),
            responsible: "李秀蓉".into(),
            budget_fen: Some(2_000_000),
            budget_source: "街道党建经费".into(),
            team: vec!["张晓燕".into()],
            indicators: vec![Indicator { name: "参与人数".into(), weight: 60 }, Indicator { name: "满意率".into(), weight: 40 }],
        }
    }

    fn check(five: OnePlusFive, liaison_ok: bool, expected: Vec<OnePlusFiveProblem>) {
        assert_eq!(check_one_plus_five(&five, liaison_ok), expected, "{five:?}");
    }

    #[test]
    fn one_plus_five_names_exactly_what_is_missing() {
        check(complete(), true, vec![]);
        check(OnePlusFive { liaison_leader: None, ..complete() }, true, vec![MissingLiaisonLeader]);
        check(complete(), false, vec![LiaisonLeaderNotInRole]);
        check(OnePlusFive { responsible: " ".into(), ..complete() }, true, vec![MissingResponsible]);
        check(OnePlusFive { budget_fen: None, ..complete() }, true, vec![MissingBudget]);
        check(OnePlusFive { budget_fen: Some(-100), ..complete() }, true, vec![BudgetNotPositive]);
        check(OnePlusFive { budget_fen: Some(0), ..complete() }, true, vec![BudgetNotPositive]);
        check(OnePlusFive { budget_source: "".into(), ..complete() }, true, vec![MissingBudgetSource]);
        check(OnePlusFive { team: vec![], ..complete() }, true, vec![MissingTeam]);
        check(OnePlusFive { team: vec!["".into()], ..complete() }, true, vec![MissingTeam]);
        check(OnePlusFive { indicators: vec![], ..complete() }, true, vec![MissingAssessment]);
        let uneven = vec![Indicator { name: "a".into(), weight: 50 }, Indicator { name: "b".into(), weight: 30 }];
        check(OnePlusFive { indicators: uneven, ..complete() }, true, vec![WeightsNotHundred { sum: 80 }]);
        let unnamed = vec![Indicator { name: "".into(), weight: 100 }];
        check(OnePlusFive { indicators: unnamed, ..complete() }, true, vec![IndicatorIncomplete]);
        check(OnePlusFive::default(), true, vec![MissingLiaisonLeader, MissingResponsible, MissingBudget, MissingBudgetSource, MissingTeam, MissingAssessment]);
    }

    #[test]
    fn completeness_counts_parts() {
        assert_eq!(one_plus_five_done(&complete(), true), 5);
        assert_eq!(one_plus_five_done(&OnePlusFive { budget_fen: None, team: vec![], ..complete() }, true), 3);
        assert_eq!(one_plus_five_done(&OnePlusFive::default(), true), 0);
    }

    #[test]
    fn one_key_project_per_branch_and_year() {
        assert_eq!(check_one_plus_n(Tier::Key, 0), Ok(()));
        assert_eq!(check_one_plus_n(Tier::Key, 1), Err(ProjectError::SecondKeyProject));
        assert_eq!(check_one_plus_n(Tier::General, 3), Ok(()));
        assert_eq!(check_one_plus_n(Tier::Micro, 9), Ok(()));
    }

    fn secretary(branch: &str) -> Actor {
        Actor { account: "s".into(), role: Role::BranchSecretary, branch: Some(branch.into()) }
    }

    fn street() -> Actor {
        Actor { account: "st".into(), role: Role::StreetStaff, branch: None }
    }

    #[test]
    fn lifecycle_and_who_moves_it() {
        use Status::*;
        let none: &[OnePlusFiveProblem] = &[];
        let cases: Vec<(Actor, Status, Status, Option<&str>, Result<(), ProjectError>)> = vec![
            (secretary("wx"), Draft, Submitted, None, Ok(())),
            (secretary("wy"), Draft, Submitted, None, Err(ProjectError::WrongRole)),
            (street(), Draft, Submitted, None, Err(ProjectError::WrongRole)),
            (street(), Submitted, InReview, None, Ok(())),
            (street(), InReview, Filed, None, Ok(())),
            (street(), Submitted, Filed, None, Ok(())),
            (secretary("wx"), InReview, Filed, None, Err(ProjectError::WrongRole)),
            (street(), InReview, Returned, Some("预算来源不明确"), Ok(())),
            (street(), InReview, Returned, Some("  "), Err(ProjectError::ReturnNeedsReason)),
            (street(), InReview, Returned, None, Err(ProjectError::ReturnNeedsReason)),
            (secretary("wx"), Returned, Draft, None, Ok(())),
            (secretary("wx"), Returned, Submitted, None, Ok(())),
            (secretary("wx"), Filed, InProgress, None, Ok(())),
            (secretary("wx"), InProgress, Completed, None, Ok(())),
            (secretary("wx"), Draft, Filed, None, Err(ProjectError::NoSuchTransition)),
            (street(), Completed, Draft, None, Err(ProjectError::NoSuchTransition)),
            (street(), Filed, Returned, Some("x"), Err(ProjectError::NoSuchTransition)),
        ];
        for (actor, from, to, note, expected) in cases {
            assert_eq!(check_transition(&actor, "wx", from, to, none, note), expected, "{actor:?} {from:?}→{to:?}");
        }
    }

    #[test]
    fn submitting_and_filing_need_the_five() {
        let missing = [MissingBudget];
        let incomplete = Err(ProjectError::Incomplete { problems: missing.to_vec() });
        assert_eq!(check_transition(&secretary("wx"), "wx", Status::Draft, Status::Submitted, &missing, None), incomplete);
        assert_eq!(check_transition(&street(), "wx", Status::InReview, Status::Filed, &missing, None), incomplete);
        // Returning an incomplete project is exactly what the street should do.
        assert_eq!(check_transition(&street(), "wx", Status::InReview, Status::Returned, &missing, Some("补充经费")), Ok(()));
    }

    #[test]
    fn nominations_respect_the_quota() {
        assert_eq!(check_nomination(Status::Filed, 0, 5), Ok(()));
        assert_eq!(check_nomination(Status::InProgress, 4, 5), Ok(()));
        assert_eq!(check_nomination(Status::Filed, 5, 5), Err(ProjectError::QuotaReached { quota: 5 }));
        assert_eq!(check_nomination(Status::InReview, 0, 5), Err(ProjectError::NotFiled));
        assert_eq!(check_nomination(Status::Draft, 0, 5), Err(ProjectError::NotFiled));
    }

    #[test]
    fn codes_round_trip() {
        for c in Category::ALL {
            assert_eq!(Category::from_code(c.code()), Some(c));
        }
        for t in Tier::ALL {
            assert_eq!(Tier::from_code(t.code()), Some(t));
        }
        for p in Principle::ALL {
            assert_eq!(Principle::from_code(p.code()), Some(p));
        }
        for s in Status::ALL {
            assert_eq!(Status::from_code(s.code()), Some(s));
        }
        assert_eq!(filing_number(2026, 7), "SBS-2026-007");
    }
}
