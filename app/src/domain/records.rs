//! Which records operations may write, which fields and lists they have, what values
//! are valid, and who may write them. The server validates every operation with
//! `validate`, and the browser validates with the same function before queueing one.

use super::auth::check_password_change;
use super::ops::{OpKind, Operation, Reason};
use super::org::{Actor, Role};
use serde_json::Value;

/// The tables operations may touch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Table {
    Branch,
    Account,
    Project,
    CatalogEntry,
    /// The street's settings for one year (keyed by the year), e.g. the nomination quota.
    StreetYear,
    /// A task or milestone of a project's plan.
    GanttTask,
    /// A finish-to-start dependency between two tasks of one plan.
    GanttLink,
    /// A public holiday or a make-up working day (调休), keyed by its date.
    CalendarDay,
    Mentor,
    MentorPairing,
    MentorSession,
    /// A branch's public brand page (一村一品 / 一社一品), keyed by the branch.
    Brand,
    /// A volunteer team of the commune (志愿公社), e.g. 银发志愿奉献队.
    VolunteerTeam,
    /// A volunteer activity with its recruitment notice (招募通知).
    Activity,
    /// A resident's sign-up for an activity (or a walk-in added by staff).
    Signup,
    /// A social organisation or merchant applying to join a branch's commune (共建单位).
    Partner,
}

/// Every table, for lists that must name them all (pulls, migrations' checks).
pub const TABLES: [Table; 16] = [
    Table::Branch,
    Table::Account,
    Table::Project,
    Table::CatalogEntry,
    Table::StreetYear,
    Table::GanttTask,
    Table::GanttLink,
    Table::CalendarDay,
    Table::Mentor,
    Table::MentorPairing,
    Table::MentorSession,
    Table::Brand,
    Table::VolunteerTeam,
    Table::Activity,
    Table::Signup,
    Table::Partner,
];

impl Table {
    pub fn from_name(name: &str) -> Option<Table> {
        TABLES.into_iter().find(|t| t.name() == name)
    }

    pub fn name(self) -> &'static str {
        match self {
            Table::Branch => "branch",
            Table::Account => "account",
            Table::Project => "project",
            Table::CatalogEntry => "catalog_entry",
            Table::StreetYear => "street_year",
            Table::GanttTask => "gantt_task",
            Table::GanttLink => "gantt_link",
            Table::CalendarDay => "calendar_day",
            Table::Mentor => "mentor",
            Table::MentorPairing => "mentor_pairing",
            Table::MentorSession => "mentor_session",
            Table::Brand => "brand",
            Table::VolunteerTeam => "volunteer_team",
            Table::Activity => "activity",
            Table::Signup => "signup",
            Table::Partner => "partner",
        }
    }

    /// Fields an operation must give when it creates a record of this table.
    pub fn required_on_create(self) -> &'static [&'static str] {
        match self {
            Table::Project => &["branch", "title", "category", "tier", "year"],
            Table::CatalogEntry => &["title", "category"],
            Table::StreetYear => &["nomination_quota"],
            Table::GanttTask => &["project", "branch", "name", "start", "duration"],
            Table::GanttLink => &["project", "branch", "from", "to"],
            Table::CalendarDay => &["kind"],
            Table::Mentor => &["name", "kind"],
            Table::MentorPairing => &["mentor", "branch", "starts_on"],
            Table::MentorSession => &["mentor", "branch", "date", "form", "summary"],
            Table::Brand => &["name"],
            Table::VolunteerTeam => &["branch", "name"],
            Table::Activity => &["branch", "team", "title", "place", "starts_at", "ends_at", "capacity", "checkin_code"],
            // The name and phone arrive sealed (`server::pii`): ciphertext, mask and keyed hash.
            Table::Signup => &["activity", "branch", "name_cipher", "name_mask"],
            Table::Partner => &["branch", "org", "kind", "name_cipher", "name_mask"],
            Table::Branch | Table::Account => &[],
        }
    }

    /// May operations create records of this table? (Branches and accounts are set up
    /// by the street's administrators, not by operations.)
    pub fn creatable(self) -> bool {
        !matches!(self, Table::Branch | Table::Account)
    }

    /// Who may create a record, and so set its create-only fields.
    fn create_access(self) -> Access {
        match self {
            Table::Project | Table::GanttTask | Table::GanttLink => Access::BranchStaff,
            Table::Brand | Table::VolunteerTeam | Table::Activity => Access::BranchStaff,
            Table::MentorSession => Access::OwnMentor,
            Table::Signup | Table::Partner => Access::Signer,
            _ => Access::StreetOnly,
        }
    }

    /// The registry's own copy of a field's name: only these ever reach a query.
    pub fn field_name(self, name: &str) -> Option<&'static str> {
        self.field(name).map(|f| f.name)
    }

    pub fn list_name(self, name: &str) -> Option<&'static str> {
        self.list(name).map(|l| l.name)
    }

    fn field(self, name: &str) -> Option<&'static FieldSpec> {
        self.fields().iter().find(|f| f.name == name)
    }

    /// Is this field a resident's personal information (sealed name or phone)?
    pub fn is_personal(self, name: &str) -> bool {
        self.field(name).is_some_and(|f| matches!(f.kind, ValueKind::Sealed))
    }

    /// Every field an operation may name on this table.
    pub fn fields(self) -> &'static [FieldSpec] {
        match self {
            Table::Branch => BRANCH_FIELDS,
            Table::Account => ACCOUNT_FIELDS,
            Table::Project => PROJECT_FIELDS,
            Table::CatalogEntry => CATALOG_FIELDS,
            Table::StreetYear => STREET_YEAR_FIELDS,
            Table::GanttTask => GANTT_TASK_FIELDS,
            Table::GanttLink => GANTT_LINK_FIELDS,
            Table::CalendarDay => CALENDAR_DAY_FIELDS,
            Table::Mentor => MENTOR_FIELDS,
            Table::MentorPairing => PAIRING_FIELDS,
            Table::MentorSession => SESSION_FIELDS,
            Table::Brand => BRAND_FIELDS,
            Table::VolunteerTeam => TEAM_FIELDS,
            Table::Activity => ACTIVITY_FIELDS,
            Table::Signup => SIGNUP_FIELDS,
            Table::Partner => PARTNER_FIELDS,
        }
    }

    fn list(self, name: &str) -> Option<&'static ListSpec> {
        let lists: &[ListSpec] = match self {
            Table::Branch => BRANCH_LISTS,
            Table::Project => PROJECT_LISTS,
            _ => &[],
        };
        lists.iter().find(|l| l.name == name)
    }
}

/// Who may write a field or list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Street staff, and the staff of the branch the record belongs to.
    BranchStaff,
    /// Street staff only.
    StreetOnly,
    /// The account's own person (and street staff).
    OwnerOrStreet,
    /// Set once, when the record is created.
    CreateOnly,
    /// Street staff and the staff of the record's branch (comments on a project).
    ProjectParticipant,
    /// The mentor the record belongs to (their sessions), and street staff.
    OwnMentor,
    /// The resident who made the sign-up (through its private link), and the staff of
    /// the activity's branch.
    Signer,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// Text of `min..=max` characters, trimmed.
    Text { min: usize, max: usize },
    /// A phone number: digits, spaces, `+` and `-`, 5 to 20 characters, or empty.
    Phone,
    /// One of a fixed set of codes.
    Choice(&'static [&'static str]),
    /// Distinct codes from a fixed set.
    Choices(&'static [&'static str]),
    /// An amount in fen above zero, or null for "not yet known".
    Fen,
    /// A calendar date `YYYY-MM-DD`, or empty.
    Date,
    /// A year from 2000 to 2100.
    Year,
    /// A count from 0 to 100.
    Count,
    /// Up to 50 names of 1 to 20 characters.
    Names,
    /// Up to 20 indicators `{name, weight}` with weights 1 to 100.
    Indicators,
    /// A record key (an account or a catalog entry), or null.
    Key,
    /// A calendar date `YYYY-MM-DD`, never empty.
    Day,
    /// A whole number from `min` to `max`.
    Int { min: i64, max: i64 },
    /// True or false.
    Flag,
    /// A local date and time `YYYY-MM-DDTHH:MM` (Beijing time).
    LocalTime,
    /// Six digits: an activity's check-in code.
    Code,
    /// Sealed personal information (ciphertext, a keyed hash, a mask) or `""` once erased.
    Sealed,
    /// A brand's photos: distinct content hashes (see `domain::photos`).
    Photos,
}

#[derive(Debug)]
pub struct FieldSpec {
    pub name: &'static str,
    pub kind: ValueKind,
    pub access: Access,
}

#[derive(Debug)]
pub struct ListSpec {
    pub name: &'static str,
    /// The item is an object `{ "text": … }` of this kind.
    pub text: ValueKind,
    pub access: Access,
}

const BRANCH_FIELDS: &[FieldSpec] = &[
    FieldSpec { name: "name", kind: ValueKind::Text { min: 2, max: 40 }, access: Access::StreetOnly },
    FieldSpec { name: "phone", kind: ValueKind::Phone, access: Access::BranchStaff },
    FieldSpec { name: "address", kind: ValueKind::Text { min: 0, max: 200 }, access: Access::BranchStaff },
    FieldSpec { name: "intro", kind: ValueKind::Text { min: 0, max: 2000 }, access: Access::BranchStaff },
];

const ACCOUNT_FIELDS: &[FieldSpec] = &[
    FieldSpec { name: "display_name", kind: ValueKind::Text { min: 1, max: 40 }, access: Access::OwnerOrStreet },
    FieldSpec { name: "phone", kind: ValueKind::Phone, access: Access::OwnerOrStreet },
];

const CATEGORY_CODES: &[&str] = &["livelihood", "education", "member_management", "discipline", "standards"];
const PRINCIPLE_CODES: &[&str] = &["hotspot", "focus", "difficulty", "blind_spot", "highlight"];
const NOMINATION_CODES: &[&str] = &["none", "nominated", "selected", "not_selected"];

const PROJECT_FIELDS: &[FieldSpec] = &[
    FieldSpec { name: "branch", kind: ValueKind::Text { min: 1, max: 40 }, access: Access::CreateOnly },
    FieldSpec { name: "title", kind: ValueKind::Text { min: 2, max: 60 }, access: Access::BranchStaff },
    FieldSpec { name: "category", kind: ValueKind::Choice(CATEGORY_CODES), access: Access::BranchStaff },
    FieldSpec { name: "tier", kind: ValueKind::Choice(&["key", "general", "micro"]), access: Access::BranchStaff },
    FieldSpec { name: "year", kind: ValueKind::Year, access: Access::BranchStaff },
    FieldSpec { name: "principles", kind: ValueKind::Choices(PRINCIPLE_CODES), access: Access::BranchStaff },
    FieldSpec { name: "goals", kind: ValueKind::Text { min: 0, max: 2000 }, access: Access::BranchStaff },
    FieldSpec { name: "starts_on", kind: ValueKind::Date, access: Access::BranchStaff },
    FieldSpec { name: "ends_on", kind: ValueKind::Date, access: Access::BranchStaff },
    FieldSpec { name: "catalog_entry", kind: ValueKind::Key, access: Access::BranchStaff },
    FieldSpec { name: "liaison_leader", kind: ValueKind::Key, access: Access::BranchStaff },
    FieldSpec { name: "responsible", kind: ValueKind::Text { min: 0, max: 20 }, access: Access::BranchStaff },
    FieldSpec { name: "budget_fen", kind: ValueKind::Fen, access: Access::BranchStaff },
    FieldSpec { name: "budget_source", kind: ValueKind::Text { min: 0, max: 60 }, access: Access::BranchStaff },
    FieldSpec { name: "team", kind: ValueKind::Names, access: Access::BranchStaff },
    FieldSpec { name: "indicators", kind: ValueKind::Indicators, access: Access::BranchStaff },
    FieldSpec { name: "nomination", kind: ValueKind::Choice(NOMINATION_CODES), access: Access::StreetOnly },
];

const CATALOG_FIELDS: &[FieldSpec] = &[
    FieldSpec { name: "title", kind: ValueKind::Text { min: 2, max: 60 }, access: Access::StreetOnly },
    FieldSpec { name: "category", kind: ValueKind::Choice(CATEGORY_CODES), access: Access::StreetOnly },
    FieldSpec { name: "principles", kind: ValueKind::Choices(PRINCIPLE_CODES), access: Access::StreetOnly },
    FieldSpec { name: "description", kind: ValueKind::Text { min: 0, max: 2000 }, access: Access::StreetOnly },
    FieldSpec { name: "goals", kind: ValueKind::Text { min: 0, max: 2000 }, access: Access::StreetOnly },
    FieldSpec { name: "indicators", kind: ValueKind::Indicators, access: Access::StreetOnly },
];

const STREET_YEAR_FIELDS: &[FieldSpec] = &[FieldSpec { name: "nomination_quota", kind: ValueKind::Count, access: Access::StreetOnly }];

const GANTT_TASK_FIELDS: &[FieldSpec] = &[
    FieldSpec { name: "project", kind: ValueKind::Key, access: Access::CreateOnly },
    FieldSpec { name: "branch", kind: ValueKind::Text { min: 1, max: 40 }, access: Access::CreateOnly },
    FieldSpec { name: "name", kind: ValueKind::Text { min: 1, max: 60 }, access: Access::BranchStaff },
    FieldSpec { name: "parent", kind: ValueKind::Key, access: Access::BranchStaff },
    FieldSpec { name: "owner", kind: ValueKind::Text { min: 0, max: 20 }, access: Access::BranchStaff },
    FieldSpec { name: "start", kind: ValueKind::Day, access: Access::BranchStaff },
    // Out-of-range lengths are the plan's rule to name ("ends before it starts").
    FieldSpec { name: "duration", kind: ValueKind::Int { min: -2000, max: 2000 }, access: Access::BranchStaff },
    FieldSpec { name: "milestone", kind: ValueKind::Flag, access: Access::BranchStaff },
    FieldSpec { name: "actual_start", kind: ValueKind::Date, access: Access::BranchStaff },
    FieldSpec { name: "actual_finish", kind: ValueKind::Date, access: Access::BranchStaff },
    FieldSpec { name: "progress", kind: ValueKind::Count, access: Access::BranchStaff },
    FieldSpec { name: "notes", kind: ValueKind::Text { min: 0, max: 500 }, access: Access::BranchStaff },
    FieldSpec { name: "sort", kind: ValueKind::Int { min: 0, max: 1_000_000 }, access: Access::BranchStaff },
    FieldSpec { name: "removed", kind: ValueKind::Flag, access: Access::BranchStaff },
];

const GANTT_LINK_FIELDS: &[FieldSpec] = &[
    FieldSpec { name: "project", kind: ValueKind::Key, access: Access::CreateOnly },
    FieldSpec { name: "branch", kind: ValueKind::Text { min: 1, max: 40 }, access: Access::CreateOnly },
    FieldSpec { name: "from", kind: ValueKind::Key, access: Access::CreateOnly },
    FieldSpec { name: "to", kind: ValueKind::Key, access: Access::CreateOnly },
    FieldSpec { name: "lag", kind: ValueKind::Int { min: -30, max: 250 }, access: Access::BranchStaff },
    FieldSpec { name: "removed", kind: ValueKind::Flag, access: Access::BranchStaff },
];

const CALENDAR_DAY_FIELDS: &[FieldSpec] = &[
    // `normal`: entered by mistake, and an ordinary day again.
    FieldSpec { name: "kind", kind: ValueKind::Choice(&["holiday", "workday", "normal"]), access: Access::StreetOnly },
    FieldSpec { name: "name", kind: ValueKind::Text { min: 0, max: 20 }, access: Access::StreetOnly },
];

const MENTOR_FIELDS: &[FieldSpec] = &[
    FieldSpec { name: "name", kind: ValueKind::Text { min: 1, max: 20 }, access: Access::StreetOnly },
    FieldSpec { name: "kind", kind: ValueKind::Choice(super::mentors::KIND_CODES), access: Access::StreetOnly },
    FieldSpec { name: "expertise", kind: ValueKind::Text { min: 0, max: 200 }, access: Access::StreetOnly },
    FieldSpec { name: "account", kind: ValueKind::Key, access: Access::StreetOnly },
];

const PAIRING_FIELDS: &[FieldSpec] = &[
    FieldSpec { name: "mentor", kind: ValueKind::Key, access: Access::CreateOnly },
    FieldSpec { name: "branch", kind: ValueKind::Text { min: 1, max: 40 }, access: Access::CreateOnly },
    FieldSpec { name: "starts_on", kind: ValueKind::Day, access: Access::StreetOnly },
    FieldSpec { name: "ends_on", kind: ValueKind::Date, access: Access::StreetOnly },
    FieldSpec { name: "additional", kind: ValueKind::Flag, access: Access::StreetOnly },
];

const SESSION_FIELDS: &[FieldSpec] = &[
    FieldSpec { name: "mentor", kind: ValueKind::Key, access: Access::CreateOnly },
    FieldSpec { name: "branch", kind: ValueKind::Text { min: 1, max: 40 }, access: Access::CreateOnly },
    FieldSpec { name: "project", kind: ValueKind::Key, access: Access::OwnMentor },
    FieldSpec { name: "date", kind: ValueKind::Day, access: Access::OwnMentor },
    FieldSpec { name: "form", kind: ValueKind::Choice(super::mentors::FORM_CODES), access: Access::OwnMentor },
    FieldSpec { name: "outcomes", kind: ValueKind::Choices(super::mentors::OUTCOME_CODES), access: Access::OwnMentor },
    FieldSpec { name: "summary", kind: ValueKind::Text { min: 1, max: 1000 }, access: Access::OwnMentor },
];

const BRAND_FIELDS: &[FieldSpec] = &[
    FieldSpec { name: "name", kind: ValueKind::Text { min: 2, max: 40 }, access: Access::BranchStaff },
    FieldSpec { name: "slogan", kind: ValueKind::Text { min: 0, max: 60 }, access: Access::BranchStaff },
    FieldSpec { name: "story", kind: ValueKind::Text { min: 0, max: 4000 }, access: Access::BranchStaff },
    FieldSpec { name: "join", kind: ValueKind::Text { min: 0, max: 1000 }, access: Access::BranchStaff },
    // In the order shown; the first is the page's cover and its card when shared.
    FieldSpec { name: "photos", kind: ValueKind::Photos, access: Access::BranchStaff },
];

const TEAM_FIELDS: &[FieldSpec] = &[
    FieldSpec { name: "branch", kind: ValueKind::Text { min: 1, max: 40 }, access: Access::CreateOnly },
    FieldSpec { name: "name", kind: ValueKind::Text { min: 2, max: 30 }, access: Access::BranchStaff },
    FieldSpec { name: "leader", kind: ValueKind::Text { min: 0, max: 20 }, access: Access::BranchStaff },
    FieldSpec { name: "intro", kind: ValueKind::Text { min: 0, max: 500 }, access: Access::BranchStaff },
];

const ACTIVITY_FIELDS: &[FieldSpec] = &[
    FieldSpec { name: "branch", kind: ValueKind::Text { min: 1, max: 40 }, access: Access::CreateOnly },
    FieldSpec { name: "team", kind: ValueKind::Key, access: Access::BranchStaff },
    FieldSpec { name: "title", kind: ValueKind::Text { min: 2, max: 60 }, access: Access::BranchStaff },
    FieldSpec { name: "place", kind: ValueKind::Text { min: 1, max: 100 }, access: Access::BranchStaff },
    FieldSpec { name: "starts_at", kind: ValueKind::LocalTime, access: Access::BranchStaff },
    FieldSpec { name: "ends_at", kind: ValueKind::LocalTime, access: Access::BranchStaff },
    FieldSpec { name: "capacity", kind: ValueKind::Int { min: 1, max: 5000 }, access: Access::BranchStaff },
    FieldSpec { name: "bring", kind: ValueKind::Text { min: 0, max: 200 }, access: Access::BranchStaff },
    FieldSpec { name: "notice", kind: ValueKind::Text { min: 0, max: 2000 }, access: Access::BranchStaff },
    FieldSpec { name: "checkin_code", kind: ValueKind::Code, access: Access::BranchStaff },
    FieldSpec { name: "cancelled", kind: ValueKind::Flag, access: Access::BranchStaff },
];

const SIGNUP_FIELDS: &[FieldSpec] = &[
    FieldSpec { name: "activity", kind: ValueKind::Key, access: Access::CreateOnly },
    FieldSpec { name: "branch", kind: ValueKind::Text { min: 1, max: 40 }, access: Access::CreateOnly },
    FieldSpec { name: "name_cipher", kind: ValueKind::Sealed, access: Access::CreateOnly },
    FieldSpec { name: "name_mask", kind: ValueKind::Sealed, access: Access::CreateOnly },
    FieldSpec { name: "phone_cipher", kind: ValueKind::Sealed, access: Access::CreateOnly },
    FieldSpec { name: "phone_hash", kind: ValueKind::Sealed, access: Access::CreateOnly },
    FieldSpec { name: "phone_mask", kind: ValueKind::Sealed, access: Access::CreateOnly },
    // Set by sealing when the typed phone was not a mobile number: the rule names it.
    FieldSpec { name: "phone_invalid", kind: ValueKind::Flag, access: Access::CreateOnly },
    FieldSpec { name: "consent", kind: ValueKind::Flag, access: Access::CreateOnly },
    FieldSpec { name: "wait", kind: ValueKind::Flag, access: Access::Signer },
    FieldSpec { name: "walk_in", kind: ValueKind::Flag, access: Access::CreateOnly },
    // Cancelled (false) or standing again (true).
    FieldSpec { name: "active", kind: ValueKind::Flag, access: Access::Signer },
    FieldSpec { name: "checked_in_at", kind: ValueKind::Int { min: 0, max: i64::MAX }, access: Access::Signer },
    FieldSpec { name: "checked_out_at", kind: ValueKind::Int { min: 0, max: i64::MAX }, access: Access::Signer },
    // Why staff recorded a check-out outside the activity's hours (audited with it).
    FieldSpec { name: "checkout_reason", kind: ValueKind::Text { min: 0, max: 200 }, access: Access::BranchStaff },
    // The check-in code a resident typed: checked, never stored.
    FieldSpec { name: "code", kind: ValueKind::Text { min: 0, max: 12 }, access: Access::Signer },
    // The resident's request to delete their name and phone everywhere (个人信息保护法).
    FieldSpec { name: "erase", kind: ValueKind::Flag, access: Access::Signer },
    FieldSpec { name: "adjust_minutes", kind: ValueKind::Int { min: -1440, max: 1440 }, access: Access::BranchStaff },
    FieldSpec { name: "adjust_reason", kind: ValueKind::Text { min: 0, max: 200 }, access: Access::BranchStaff },
];

const PARTNER_FIELDS: &[FieldSpec] = &[
    FieldSpec { name: "branch", kind: ValueKind::Text { min: 1, max: 40 }, access: Access::CreateOnly },
    FieldSpec { name: "org", kind: ValueKind::Text { min: 2, max: 40 }, access: Access::CreateOnly },
    FieldSpec { name: "kind", kind: ValueKind::Choice(&["social_org", "merchant"]), access: Access::CreateOnly },
    FieldSpec { name: "offer", kind: ValueKind::Text { min: 0, max: 500 }, access: Access::CreateOnly },
    FieldSpec { name: "name_cipher", kind: ValueKind::Sealed, access: Access::CreateOnly },
    FieldSpec { name: "name_mask", kind: ValueKind::Sealed, access: Access::CreateOnly },
    FieldSpec { name: "phone_cipher", kind: ValueKind::Sealed, access: Access::CreateOnly },
    FieldSpec { name: "phone_hash", kind: ValueKind::Sealed, access: Access::CreateOnly },
    FieldSpec { name: "phone_mask", kind: ValueKind::Sealed, access: Access::CreateOnly },
    FieldSpec { name: "phone_invalid", kind: ValueKind::Flag, access: Access::CreateOnly },
    FieldSpec { name: "consent", kind: ValueKind::Flag, access: Access::CreateOnly },
    // Reviewed by the branch's community staff.
    FieldSpec { name: "status", kind: ValueKind::Choice(&["applied", "approved", "declined"]), access: Access::BranchStaff },
];

const PROJECT_LISTS: &[ListSpec] = &[ListSpec { name: "comments", text: ValueKind::Text { min: 1, max: 1000 }, access: Access::ProjectParticipant }];

const BRANCH_LISTS: &[ListSpec] = &[ListSpec { name: "notes", text: ValueKind::Text { min: 1, max: 1000 }, access: Access::BranchStaff }];

/// What the server knows of the target record when it validates an operation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// The branch the record belongs to, if any.
    pub branch: Option<String>,
    /// For accounts: the account's own key.
    pub account: Option<String>,
}

/// Checks an operation against the registry and the actor's rights. Returns the
/// table on success. The current password of a change is checked by the server.
/// A record key as clients make them (UUIDs without dashes, `p001`, a year, a branch's
/// slug): 1 to 64 ASCII letters, digits, `_` or `-`. Anything else names no record.
pub fn valid_key(key: &str) -> bool {
    (1..=64).contains(&key.len()) && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

pub fn validate(actor: &Actor, op: &Operation, target: &Target) -> Result<Table, Reason> {
    let table = Table::from_name(&op.table).ok_or(Reason::UnknownTable)?;
    match &op.kind {
        OpKind::Set { fields } => {
            if fields.is_empty() {
                return Err(Reason::EmptyOperation);
            }
            for (name, value) in fields {
                let spec = table.field(name).ok_or_else(|| Reason::UnknownField { field: name.clone() })?;
                if spec.access == Access::CreateOnly || !may_access(actor, spec.access, target) {
                    return Err(Reason::Forbidden);
                }
                if !valid_value(spec.kind, value) {
                    return Err(Reason::InvalidValue { field: name.clone() });
                }
            }
        }
        OpKind::Create { fields } => {
            if !table.creatable() {
                return Err(Reason::Forbidden);
            }
            if let Some(missing) = table.required_on_create().iter().find(|f| !fields.contains_key(**f)) {
                return Err(Reason::InvalidValue { field: missing.to_string() });
            }
            for (name, value) in fields {
                let spec = table.field(name).ok_or_else(|| Reason::UnknownField { field: name.clone() })?;
                let access = if spec.access == Access::CreateOnly { table.create_access() } else { spec.access };
                // Street-only fields (a nomination) cannot be set by creating a record.
                if !may_access(actor, access, target) || (access == Access::StreetOnly && table == Table::Project) {
                    return Err(Reason::Forbidden);
                }
                if !valid_value(spec.kind, value) {
                    return Err(Reason::InvalidValue { field: name.clone() });
                }
            }
        }
        OpKind::Append { list, item } => {
            let spec = table.list(list).ok_or_else(|| Reason::UnknownList { list: list.clone() })?;
            if !may_access(actor, spec.access, target) {
                return Err(Reason::Forbidden);
            }
            let text = item.get("text").cloned().unwrap_or(Value::Null);
            let only_text = item.as_object().is_some_and(|o| o.len() == 1);
            if !only_text || !valid_value(spec.text, &text) {
                return Err(Reason::InvalidValue { field: list.clone() });
            }
        }
        // The lifecycle is checked by the server with the project's facts
        // (`projects::check_transition`); here only its table is.
        OpKind::Transition { .. } if table == Table::Project => {}
        OpKind::Transition { .. } => return Err(Reason::TransitionNotAllowed),
        OpKind::ChangePassword { current, new } => {
            // Only one's own password, street staff included: resets are a separate matter.
            if table != Table::Account || target.account.as_deref() != Some(actor.account.as_str()) {
                return Err(Reason::Forbidden);
            }
            check_password_change(current, new).map_err(|problem| Reason::PasswordPolicy { problem })?;
        }
    }
    Ok(table)
}

/// What of `validate` a device can check alone, before it queues an operation: the table,
/// its fields and lists, what a new record needs, and every value against its field's
/// kind. Who may write it needs the record's branch and is left to the server. Gives the
/// reason the server would give, so an edit made offline is refused at once, not on sync.
pub fn check_shape(op: &Operation) -> Result<Table, Reason> {
    let table = Table::from_name(&op.table).ok_or(Reason::UnknownTable)?;
    if !valid_key(&op.key) {
        return Err(Reason::UnknownRecord);
    }
    // A sign-up's or partner's plain name and phone are sealed by the server into other
    // fields before it checks them: only the server can check those operations' shape.
    if matches!(table, Table::Signup | Table::Partner) {
        return Ok(table);
    }
    match &op.kind {
        OpKind::Set { fields } | OpKind::Create { fields } => {
            let creating = matches!(op.kind, OpKind::Create { .. });
            if fields.is_empty() && !creating {
                return Err(Reason::EmptyOperation);
            }
            if creating {
                if let Some(missing) = table.required_on_create().iter().find(|f| !fields.contains_key(**f)) {
                    return Err(Reason::InvalidValue { field: missing.to_string() });
                }
            }
            for (name, value) in fields {
                let spec = table.field(name).ok_or_else(|| Reason::UnknownField { field: name.clone() })?;
                if !valid_value(spec.kind, value) {
                    return Err(Reason::InvalidValue { field: name.clone() });
                }
            }
        }
        OpKind::Append { list, item } => {
            let spec = table.list(list).ok_or_else(|| Reason::UnknownList { list: list.clone() })?;
            let text = item.get("text").cloned().unwrap_or(Value::Null);
            let only_text = item.as_object().is_some_and(|o| o.len() == 1);
            if !only_text || !valid_value(spec.text, &text) {
                return Err(Reason::InvalidValue { field: list.clone() });
            }
        }
        OpKind::Transition { .. } | OpKind::ChangePassword { .. } => {}
    }
    Ok(table)
}

fn may_access(actor: &Actor, access: Access, target: &Target) -> bool {
    match access {
        Access::StreetOnly => actor.role == Role::StreetStaff,
        Access::BranchStaff => target.branch.as_deref().is_some_and(|b| actor.may_edit_branch(b)),
        Access::OwnerOrStreet => actor.role == Role::StreetStaff || target.account.as_deref() == Some(actor.account.as_str()),
        Access::CreateOnly => false,
        Access::ProjectParticipant => target.branch.as_deref().is_some_and(|b| actor.may_edit_branch(b)),
        Access::OwnMentor => actor.role == Role::StreetStaff || (actor.role == Role::Mentor && target.account.as_deref() == Some(actor.account.as_str())),
        Access::Signer => {
            (actor.role == Role::Resident && target.account.as_deref() == Some(actor.account.as_str()))
                || target.branch.as_deref().is_some_and(|b| actor.may_edit_branch(b))
        }
    }
}

/// Is `value` acceptable for a field of this kind?
pub fn valid_value(kind: ValueKind, value: &Value) -> bool {
    match kind {
        ValueKind::Fen => return value.is_null() || value.as_i64().is_some_and(|fen| fen > 0 && fen <= 10_000_000_000),
        ValueKind::Year => return value.as_i64().is_some_and(|y| (2000..=2100).contains(&y)),
        ValueKind::Count => return value.as_i64().is_some_and(|n| (0..=100).contains(&n)),
        ValueKind::Int { min, max } => return value.as_i64().is_some_and(|n| (min..=max).contains(&n)),
        ValueKind::Flag => return value.is_boolean(),
        ValueKind::Key => {
            return value.is_null()
                || value.as_str().is_some_and(|k| (1..=64).contains(&k.len()) && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        }
        ValueKind::Choices(codes) => {
            let Some(list) = value.as_array() else { return false };
            let mut seen = std::collections::BTreeSet::new();
            return list.iter().all(|v| v.as_str().is_some_and(|c| codes.contains(&c) && seen.insert(c)));
        }
        ValueKind::Photos => return super::photos::valid_list(value),
        ValueKind::Names => {
            let Some(list) = value.as_array() else { return false };
            return list.len() <= 50 && list.iter().all(|v| valid_value(ValueKind::Text { min: 1, max: 20 }, v));
        }
        ValueKind::Indicators => {
            let Some(list) = value.as_array() else { return false };
            return list.len() <= 20
                && list.iter().all(|i| {
                    i.as_object().is_some_and(|o| o.len() == 2)
                        && valid_value(ValueKind::Text { min: 1, max: 40 }, &i["name"])
                        && i["weight"].as_u64().is_some_and(|w| (1..=100).contains(&w))
                });
        }
        _ => {}
    }
    let Some(text) = value.as_str() else { return false };
    match kind {
        ValueKind::Choice(codes) => codes.contains(&text),
        ValueKind::Date => text.is_empty() || chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok_and(|_| text.len() == 10),
        ValueKind::Day => chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok_and(|_| text.len() == 10),
        ValueKind::Fen
        | ValueKind::Year
        | ValueKind::Count
        | ValueKind::Key
        | ValueKind::Choices(_)
        | ValueKind::Names
        | ValueKind::Indicators
        | ValueKind::Int { .. }
        | ValueKind::Flag
        | ValueKind::Photos => false,
        ValueKind::Text { min, max } => {
            let chars = text.trim().chars().count();
            chars >= min && chars <= max && text.trim().len() == text.len()
        }
        ValueKind::LocalTime => super::time::parse_local(text).is_some() && text.len() == 16,
        ValueKind::Code => text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit()),
        ValueKind::Sealed => text.chars().count() <= 400 && !text.chars().any(|c| c.is_control() || c.is_whitespace() || c == '<' || c == '>'),
        ValueKind::Phone => text.is_empty() || ((5..=20).contains(&text.len()) && text.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' '))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::auth::PasswordError;
    use crate::domain::hlc::Stamp;
    use serde_json::json;

    fn secretary_of(branch: &str) -> Actor {
        Actor { account: "sec".into(), role: Role::BranchSecretary, branch: Some(branch.into()) }
    }

    fn street() -> Actor {
        Actor { account: "boss".into(), role: Role::StreetStaff, branch: None }
    }

    fn branch(key: &str) -> Target {
        Target { branch: Some(key.into()), account: None }
    }

    fn account(key: &str) -> Target {
        Target { branch: None, account: Some(key.into()) }
    }

    #[test]
    fn keys_are_short_plain_ascii() {
        for good in ["p001", "wenxing", "2026", "0190f5f27d6e7cc08f00000000000001", "a_b-c"] {
            assert!(valid_key(good), "{good}");
        }
        for bad in ["", " ", "a b", "项目", "x:y", "a`b", &"k".repeat(65)] {
            assert!(!valid_key(bad), "{bad:?}");
        }
    }

    fn op(table: &str, kind: OpKind) -> Operation {
        Operation::new(table, "k", kind, Stamp { ms: 1, counter: 0, node: "n".into() })
    }

    fn set(table: &str, field: &str, value: Value) -> Operation {
        op(table, OpKind::Set { fields: [(field.to_string(), value)].into() })
    }

    fn check(actor: Actor, op: Operation, target: Target, expected: Result<Table, Reason>) {
        assert_eq!(validate(&actor, &op, &target), expected, "{op:?}");
    }

    /// A device refuses what the server would refuse for its shape, with the same reason,
    /// and lets through what only the server can judge (who may write it).
    #[test]
    fn a_device_checks_the_shape_as_the_server_does() {
        let shapes = [
            set("branch", "phone", json!("0352-6021234")),
            set("branch", "name", json!("新")),
            set("branch", "phone", json!(12345)),
            set("branch", "secret", json!("x")),
            set("nope", "x", json!("x")),
            op("branch", OpKind::Set { fields: Default::default() }),
            op("project", OpKind::Create { fields: [("title".to_string(), json!("只有标题的项目"))].into() }),
            op("project", OpKind::Append { list: "comments".into(), item: json!({ "text": "好", "extra": 1 }) }),
            op("project", OpKind::Append { list: "nope".into(), item: json!({ "text": "好" }) }),
        ];
        for op in shapes {
            let server = validate(&street(), &op, &branch("wx"));
            match check_shape(&op) {
                Ok(table) => assert_eq!(server, Ok(table), "{op:?}"),
                Err(reason) => assert_eq!(server, Err(reason), "{op:?}"),
            }
        }
        // The device cannot know the branch: a secretary's edit of another branch goes on.
        assert_eq!(check_shape(&set("branch", "phone", json!("0352-6021234"))), Ok(Table::Branch));
        assert_eq!(check_shape(&set("branch", "phone", json!("call me"))), Err(Reason::InvalidValue { field: "phone".into() }));
        // A walk-in's plain name and phone are the server's to seal and check.
        let walk_in = op("signup", OpKind::Create { fields: [("name".to_string(), json!("王五")), ("phone".to_string(), json!("13912345678"))].into() });
        assert_eq!(check_shape(&walk_in), Ok(Table::Signup));
        let bad_key = Operation::new(
            "branch",
            "a b",
            OpKind::Set { fields: [("phone".to_string(), json!("0352-6021234"))].into() },
            Stamp { ms: 1, counter: 0, node: "n".into() },
        );
        assert_eq!(check_shape(&bad_key), Err(Reason::UnknownRecord));
    }

    #[test]
    fn set_fields() {
        check(secretary_of("wx"), set("branch", "phone", json!("0352-6021234")), branch("wx"), Ok(Table::Branch));
        check(secretary_of("wy"), set("branch", "phone", json!("0352-6021234")), branch("wx"), Err(Reason::Forbidden));
        check(secretary_of("wx"), set("branch", "name", json!("新名字")), branch("wx"), Err(Reason::Forbidden));
        check(street(), set("branch", "name", json!("新名字")), branch("wx"), Ok(Table::Branch));
        check(street(), set("branch", "name", json!("新")), branch("wx"), Err(Reason::InvalidValue { field: "name".into() }));
        check(street(), set("branch", "phone", json!("call me")), branch("wx"), Err(Reason::InvalidValue { field: "phone".into() }));
        check(street(), set("branch", "phone", json!(12345)), branch("wx"), Err(Reason::InvalidValue { field: "phone".into() }));
        check(street(), set("branch", "secret", json!("x")), branch("wx"), Err(Reason::UnknownField { field: "secret".into() }));
        check(street(), set("nope", "x", json!("x")), branch("wx"), Err(Reason::UnknownTable));
        check(street(), op("branch", OpKind::Set { fields: Default::default() }), branch("wx"), Err(Reason::EmptyOperation));
    }

    #[test]
    fn own_account_fields() {
        check(secretary_of("wx"), set("account", "display_name", json!("李秀蓉")), account("sec"), Ok(Table::Account));
        check(secretary_of("wx"), set("account", "display_name", json!("李秀蓉")), account("other"), Err(Reason::Forbidden));
        check(secretary_of("wx"), set("account", "display_name", json!("  ")), account("sec"), Err(Reason::InvalidValue { field: "display_name".into() }));
        check(street(), set("account", "phone", json!("13800000000")), account("other"), Ok(Table::Account));
    }

    #[test]
    fn appends() {
        let note = |item: Value| op("branch", OpKind::Append { list: "notes".into(), item });
        check(secretary_of("wx"), note(json!({"text": "走访3户"})), branch("wx"), Ok(Table::Branch));
        check(secretary_of("wy"), note(json!({"text": "走访3户"})), branch("wx"), Err(Reason::Forbidden));
        check(secretary_of("wx"), note(json!({"text": ""})), branch("wx"), Err(Reason::InvalidValue { field: "notes".into() }));
        check(secretary_of("wx"), note(json!({"text": "x", "extra": 1})), branch("wx"), Err(Reason::InvalidValue { field: "notes".into() }));
        let other = op("branch", OpKind::Append { list: "ledger".into(), item: json!({"text": "x"}) });
        check(secretary_of("wx"), other, branch("wx"), Err(Reason::UnknownList { list: "ledger".into() }));
    }

    #[test]
    fn password_changes_only_for_oneself() {
        let change = |new: &str| op("account", OpKind::ChangePassword { current: "Old-pass1".into(), new: new.into() });
        check(secretary_of("wx"), change("New-pass1"), account("sec"), Ok(Table::Account));
        check(street(), change("New-pass1"), account("sec"), Err(Reason::Forbidden));
        check(secretary_of("wx"), change("weak"), account("sec"), Err(Reason::PasswordPolicy { problem: PasswordError::TooShort }));
    }

    #[test]
    fn project_values() {
        let cases = [
            (ValueKind::Fen, json!(2_000_000), true),
            (ValueKind::Fen, json!(null), true),
            (ValueKind::Fen, json!(-5), false),
            (ValueKind::Fen, json!(0), false),
            (ValueKind::Fen, json!("100"), false),
            (ValueKind::Year, json!(2026), true),
            (ValueKind::Year, json!(1999), false),
            (ValueKind::Date, json!("2026-09-30"), true),
            (ValueKind::Date, json!(""), true),
            (ValueKind::Date, json!("2026-02-30"), false),
            (ValueKind::Date, json!("2026-9-3"), false),
            (ValueKind::Choice(CATEGORY_CODES), json!("education"), true),
            (ValueKind::Choice(CATEGORY_CODES), json!("sports"), false),
            (ValueKind::Choices(PRINCIPLE_CODES), json!(["hotspot", "highlight"]), true),
            (ValueKind::Choices(PRINCIPLE_CODES), json!(["hotspot", "hotspot"]), false),
            (ValueKind::Choices(PRINCIPLE_CODES), json!("hotspot"), false),
            (ValueKind::Names, json!(["张晓燕", "王芳"]), true),
            (ValueKind::Names, json!(["", "王芳"]), false),
            (ValueKind::Indicators, json!([{"name": "满意率", "weight": 60}]), true),
            (ValueKind::Indicators, json!([{"name": "满意率", "weight": 0}]), false),
            (ValueKind::Indicators, json!([{"name": "满意率", "weight": 60, "x": 1}]), false),
            (ValueKind::Key, json!("wanghaitao"), true),
            (ValueKind::Key, json!("a b"), false),
        ];
        for (kind, value, expected) in cases {
            assert_eq!(valid_value(kind, &value), expected, "{kind:?} {value}");
        }
    }

    #[test]
    fn creating_projects() {
        let fields = |branch: &str| -> OpKind {
            OpKind::Create {
                fields: [
                    ("branch".to_string(), json!(branch)),
                    ("title".to_string(), json!("先锋书房")),
                    ("category".to_string(), json!("education")),
                    ("tier".to_string(), json!("key")),
                    ("year".to_string(), json!(2026)),
                ]
                .into(),
            }
        };
        check(secretary_of("wx"), op("project", fields("wx")), branch("wx"), Ok(Table::Project));
        check(secretary_of("wy"), op("project", fields("wx")), branch("wx"), Err(Reason::Forbidden));
        check(street(), op("project", fields("wx")), branch("wx"), Ok(Table::Project));
        check(secretary_of("wx"), op("branch", fields("wx")), branch("wx"), Err(Reason::Forbidden));
        let no_title = OpKind::Create { fields: [("branch".to_string(), json!("wx"))].into() };
        check(secretary_of("wx"), op("project", no_title), branch("wx"), Err(Reason::InvalidValue { field: "title".into() }));
        // The branch of a project is fixed when it is created.
        check(street(), set("project", "branch", json!("wy")), branch("wx"), Err(Reason::Forbidden));
        // Only the street nominates.
        check(secretary_of("wx"), set("project", "nomination", json!("nominated")), branch("wx"), Err(Reason::Forbidden));
        check(street(), set("project", "nomination", json!("nominated")), branch("wx"), Ok(Table::Project));
        // Only the street sets its yearly nomination quota.
        let quota = || op("street_year", OpKind::Create { fields: [("nomination_quota".to_string(), json!(6))].into() });
        let nobody = Target { branch: None, account: None };
        check(street(), quota(), nobody.clone(), Ok(Table::StreetYear));
        check(secretary_of("wx"), quota(), nobody.clone(), Err(Reason::Forbidden));
        check(street(), set("street_year", "nomination_quota", json!(-1)), nobody, Err(Reason::InvalidValue { field: "nomination_quota".into() }));
    }

    #[test]
    fn plans_and_mentoring() {
        let task = |branch: &str| {
            op(
                "gantt_task",
                OpKind::Create {
                    fields: [
                        ("project".to_string(), json!("p001")),
                        ("branch".to_string(), json!(branch)),
                        ("name".to_string(), json!("入户走访")),
                        ("start".to_string(), json!("2026-09-14")),
                        ("duration".to_string(), json!(3)),
                    ]
                    .into(),
                },
            )
        };
        check(secretary_of("wx"), task("wx"), branch("wx"), Ok(Table::GanttTask));
        // Another branch's plan.
        check(secretary_of("wy"), task("wx"), branch("wx"), Err(Reason::Forbidden));
        check(secretary_of("wx"), set("gantt_task", "start", json!("")), branch("wx"), Err(Reason::InvalidValue { field: "start".into() }));
        check(secretary_of("wx"), set("gantt_task", "milestone", json!("yes")), branch("wx"), Err(Reason::InvalidValue { field: "milestone".into() }));
        check(secretary_of("wx"), set("gantt_link", "from", json!("t2")), branch("wx"), Err(Reason::Forbidden));
        // Sessions: the mentor named, or street staff.
        let mentor = Actor { account: "liujianguo".into(), role: Role::Mentor, branch: None };
        let session = || {
            op(
                "mentor_session",
                OpKind::Create {
                    fields: [
                        ("mentor".to_string(), json!("m1")),
                        ("branch".to_string(), json!("wx")),
                        ("date".to_string(), json!("2026-11-20")),
                        ("form".to_string(), json!("hands_on")),
                        ("summary".to_string(), json!("帮助确定课题")),
                    ]
                    .into(),
                },
            )
        };
        let of = |account: &str| Target { branch: Some("wx".into()), account: Some(account.into()) };
        check(mentor.clone(), session(), of("liujianguo"), Ok(Table::MentorSession));
        check(mentor.clone(), session(), of("chenfang"), Err(Reason::Forbidden));
        check(secretary_of("wx"), session(), of("liujianguo"), Err(Reason::Forbidden));
        // Pairings are the street's.
        let pairing = op(
            "mentor_pairing",
            OpKind::Create {
                fields: [("mentor".to_string(), json!("m1")), ("branch".to_string(), json!("wx")), ("starts_on".to_string(), json!("2026-03-01"))].into(),
            },
        );
        check(street(), pairing.clone(), branch("wx"), Ok(Table::MentorPairing));
        check(mentor, pairing, branch("wx"), Err(Reason::Forbidden));
    }

    #[test]
    fn transitions_are_refused_where_no_lifecycle_exists() {
        let t = op("branch", OpKind::Transition { to: "filed".into(), note: None });
        check(street(), t, branch("wx"), Err(Reason::TransitionNotAllowed));
    }
}
