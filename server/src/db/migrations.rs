//! Numbered schema migrations, each applied once and recorded in the `migration`
//! table in the same transaction. Add new ones at the end; never edit an applied one.

use super::Db;
use serde_json::json;

pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "organisations, accounts, sessions, the operation log",
        sql: r#"
DEFINE TABLE migration SCHEMAFULL;
DEFINE FIELD name ON migration TYPE string;
DEFINE FIELD applied_at ON migration TYPE int;

DEFINE TABLE street SCHEMAFULL;
DEFINE FIELD name ON street TYPE string ASSERT string::len($value) >= 2;

DEFINE TABLE branch SCHEMAFULL;
DEFINE FIELD name ON branch TYPE string ASSERT string::len($value) >= 2 AND string::len($value) <= 40;
DEFINE FIELD kind ON branch TYPE string ASSERT $value IN ['village', 'community', 'other'];
DEFINE FIELD sort ON branch TYPE int DEFAULT 0;
DEFINE FIELD phone ON branch TYPE string DEFAULT '' ASSERT string::len($value) <= 20;
DEFINE FIELD address ON branch TYPE string DEFAULT '' ASSERT string::len($value) <= 200;
DEFINE FIELD intro ON branch TYPE string DEFAULT '' ASSERT string::len($value) <= 2000;
-- Clock stamp of the last write of each field, for last-writer-wins.
DEFINE FIELD clocks ON branch TYPE object FLEXIBLE DEFAULT {};
DEFINE INDEX branch_name ON branch FIELDS name UNIQUE;

DEFINE TABLE account SCHEMAFULL;
DEFINE FIELD username ON account TYPE string ASSERT string::len($value) >= 2 AND string::len($value) <= 40;
DEFINE FIELD display_name ON account TYPE string ASSERT string::len($value) >= 1 AND string::len($value) <= 40;
DEFINE FIELD phone ON account TYPE string DEFAULT '' ASSERT string::len($value) <= 20;
DEFINE FIELD role ON account TYPE string
    ASSERT $value IN ['street_staff', 'branch_secretary', 'community_staff', 'mentor', 'liaison_leader'];
DEFINE FIELD branch ON account TYPE option<string>;
DEFINE FIELD password_hash ON account TYPE string ASSERT string::starts_with($value, '$argon2id$');
DEFINE FIELD failed_logins ON account TYPE int DEFAULT 0;
DEFINE FIELD locked_until ON account TYPE int DEFAULT 0;
DEFINE FIELD clocks ON account TYPE object FLEXIBLE DEFAULT {};
DEFINE INDEX account_username ON account FIELDS username UNIQUE;
DEFINE INDEX account_branch ON account FIELDS branch;

-- Keyed by the SHA-256 of the cookie's token: a stolen database gives no live cookie.
DEFINE TABLE session SCHEMAFULL;
DEFINE FIELD account ON session TYPE string;
DEFINE FIELD created ON session TYPE int;
DEFINE FIELD last_seen ON session TYPE int;
DEFINE FIELD expires ON session TYPE int;
DEFINE INDEX session_account ON session FIELDS account;

-- The operation log: keyed by the client's operation id, so a replay is recognised.
DEFINE TABLE op SCHEMAFULL;
DEFINE FIELD tb ON op TYPE string;
DEFINE FIELD key ON op TYPE string;
DEFINE FIELD kind ON op TYPE object FLEXIBLE;
DEFINE FIELD clock ON op TYPE string;
DEFINE FIELD actor ON op TYPE string;
DEFINE FIELD client ON op TYPE string;
DEFINE FIELD applied_at ON op TYPE int;
DEFINE INDEX op_record ON op FIELDS tb, key, clock;
DEFINE INDEX op_actor ON op FIELDS actor, applied_at;

-- A list that only grows: one row per append, keyed by the operation id.
DEFINE TABLE branch_note SCHEMAFULL;
DEFINE FIELD branch ON branch_note TYPE string;
DEFINE FIELD text ON branch_note TYPE string ASSERT string::len($value) >= 1 AND string::len($value) <= 1000;
DEFINE FIELD author ON branch_note TYPE string;
DEFINE FIELD author_name ON branch_note TYPE string;
DEFINE FIELD clock ON branch_note TYPE string;
DEFINE FIELD at ON branch_note TYPE int;
DEFINE INDEX branch_note_branch ON branch_note FIELDS branch, clock;

-- Security events (sign-in, failures, locks), kept 6 months.
DEFINE TABLE audit SCHEMAFULL;
DEFINE FIELD at ON audit TYPE int;
DEFINE FIELD account ON audit TYPE string;
DEFINE FIELD event ON audit TYPE string;
DEFINE FIELD detail ON audit TYPE string;
DEFINE INDEX audit_at ON audit FIELDS at;
"#,
    },
    Migration {
        version: 2,
        name: "projects, the reference catalog, comments, the street's settings",
        sql: r#"
DEFINE TABLE catalog_entry SCHEMAFULL;
DEFINE FIELD title ON catalog_entry TYPE string ASSERT string::len($value) >= 2 AND string::len($value) <= 60;
DEFINE FIELD category ON catalog_entry TYPE string
    ASSERT $value IN ['livelihood', 'education', 'member_management', 'discipline', 'standards'];
DEFINE FIELD principles ON catalog_entry TYPE array<string> DEFAULT [];
DEFINE FIELD description ON catalog_entry TYPE string DEFAULT '';
DEFINE FIELD goals ON catalog_entry TYPE string DEFAULT '';
DEFINE FIELD indicators ON catalog_entry TYPE array<object> FLEXIBLE DEFAULT [];
DEFINE FIELD clocks ON catalog_entry TYPE object FLEXIBLE DEFAULT {};
DEFINE INDEX catalog_category ON catalog_entry FIELDS category;

DEFINE TABLE project SCHEMAFULL;
DEFINE FIELD branch ON project TYPE string;
DEFINE FIELD title ON project TYPE string ASSERT string::len($value) >= 2 AND string::len($value) <= 60;
DEFINE FIELD category ON project TYPE string
    ASSERT $value IN ['livelihood', 'education', 'member_management', 'discipline', 'standards'];
DEFINE FIELD tier ON project TYPE string ASSERT $value IN ['key', 'general', 'micro'];
DEFINE FIELD year ON project TYPE int ASSERT $value >= 2000 AND $value <= 2100;
DEFINE FIELD principles ON project TYPE array<string> DEFAULT [];
DEFINE FIELD goals ON project TYPE string DEFAULT '';
DEFINE FIELD starts_on ON project TYPE string DEFAULT '';
DEFINE FIELD ends_on ON project TYPE string DEFAULT '';
DEFINE FIELD catalog_entry ON project TYPE option<string | null>;
DEFINE FIELD liaison_leader ON project TYPE option<string | null>;
DEFINE FIELD responsible ON project TYPE string DEFAULT '';
DEFINE FIELD budget_fen ON project TYPE option<int | null>;
DEFINE FIELD budget_source ON project TYPE string DEFAULT '';
DEFINE FIELD team ON project TYPE array<string> DEFAULT [];
DEFINE FIELD indicators ON project TYPE array<object> FLEXIBLE DEFAULT [];
DEFINE FIELD status ON project TYPE string DEFAULT 'draft'
    ASSERT $value IN ['draft', 'submitted', 'in_review', 'returned', 'filed', 'in_progress', 'completed'];
DEFINE FIELD return_reason ON project TYPE string DEFAULT '';
DEFINE FIELD filing_no ON project TYPE option<string>;
DEFINE FIELD filed_at ON project TYPE option<int>;
DEFINE FIELD nomination ON project TYPE string DEFAULT 'none'
    ASSERT $value IN ['none', 'nominated', 'selected', 'not_selected'];
DEFINE FIELD created_at ON project TYPE int;
DEFINE FIELD updated_at ON project TYPE int;
DEFINE FIELD clocks ON project TYPE object FLEXIBLE DEFAULT {};
DEFINE INDEX project_branch_year ON project FIELDS branch, year, tier;
DEFINE INDEX project_status ON project FIELDS status;
DEFINE INDEX project_year_nomination ON project FIELDS year, nomination;
DEFINE INDEX project_filing_no ON project FIELDS filing_no;

DEFINE TABLE project_comment SCHEMAFULL;
DEFINE FIELD project ON project_comment TYPE string;
DEFINE FIELD text ON project_comment TYPE string ASSERT string::len($value) >= 1 AND string::len($value) <= 1000;
DEFINE FIELD author ON project_comment TYPE string;
DEFINE FIELD author_name ON project_comment TYPE string;
DEFINE FIELD clock ON project_comment TYPE string;
DEFINE FIELD at ON project_comment TYPE int;
DEFINE INDEX project_comment_project ON project_comment FIELDS project, clock;

-- The street's settings, one row per year where they differ from the defaults.
DEFINE TABLE street_year SCHEMAFULL;
DEFINE FIELD nomination_quota ON street_year TYPE int ASSERT $value >= 0 AND $value <= 100;
DEFINE FIELD clocks ON street_year TYPE object FLEXIBLE DEFAULT {};
"#,
    },
    Migration {
        version: 3,
        name: "change sequence, pull cursors per client, conflict notes",
        sql: r#"
-- One counter, raised once by every write transaction: every changed record carries the
-- number of the commit that changed it, so "what changed since" is an indexed range.
-- Two transactions that raise it conflict, so numbers become visible in commit order.
DEFINE TABLE sync_seq SCHEMAFULL;
DEFINE FIELD n ON sync_seq TYPE int;
UPSERT sync_seq:global SET n = 0;

DEFINE FIELD seq ON branch TYPE int DEFAULT 0;
DEFINE FIELD seq ON account TYPE int DEFAULT 0;
DEFINE FIELD seq ON project TYPE int DEFAULT 0;
DEFINE FIELD seq ON catalog_entry TYPE int DEFAULT 0;
DEFINE FIELD seq ON street_year TYPE int DEFAULT 0;
UPDATE branch SET seq = 0;
UPDATE account SET seq = 0;
UPDATE project SET seq = 0;
UPDATE catalog_entry SET seq = 0;
UPDATE street_year SET seq = 0;
DEFINE INDEX branch_seq ON branch FIELDS seq;
DEFINE INDEX account_seq ON account FIELDS seq;
DEFINE INDEX project_seq ON project FIELDS seq;
DEFINE INDEX project_branch_seq ON project FIELDS branch, seq;
DEFINE INDEX catalog_entry_seq ON catalog_entry FIELDS seq;
DEFINE INDEX street_year_seq ON street_year FIELDS seq;

-- Each device's pull cursor, kept in the database so any instance can answer it.
DEFINE TABLE sync_client SCHEMAFULL;
DEFINE FIELD account ON sync_client TYPE string;
DEFINE FIELD cursor ON sync_client TYPE int;
DEFINE FIELD pulled_at ON sync_client TYPE int;

-- A value a device wrote that a concurrent, later write replaced; delivered to that
-- device on its next pull.
DEFINE TABLE conflict SCHEMAFULL;
DEFINE FIELD client ON conflict TYPE string;
DEFINE FIELD account ON conflict TYPE string;
DEFINE FIELD tb ON conflict TYPE string;
DEFINE FIELD key ON conflict TYPE string;
DEFINE FIELD field ON conflict TYPE string;
DEFINE FIELD yours ON conflict TYPE any;
DEFINE FIELD winner ON conflict TYPE any;
DEFINE FIELD winner_name ON conflict TYPE string;
DEFINE FIELD at ON conflict TYPE int;
DEFINE FIELD seq ON conflict TYPE int;
DEFINE INDEX conflict_client_seq ON conflict FIELDS client, seq;
"#,
    },
    Migration {
        version: 4,
        name: "operation numbers per device, refusals kept in the log",
        sql: r#"
-- The last operation number applied per person and device: the next one must follow it,
-- and one at or below it is a replay. Written in the same transaction as the operations.
DEFINE TABLE client_mark SCHEMAFULL;
DEFINE FIELD account ON client_mark TYPE string;
DEFINE FIELD applied ON client_mark TYPE int;

-- Refused operations are logged too (with the reason), so a replay gets the same answer.
DEFINE FIELD reason ON op TYPE option<object> FLEXIBLE;
DEFINE FIELD n ON op TYPE option<int>;
"#,
    },
    Migration {
        version: 5,
        name: "plans (tasks, links, the street's calendar) and the mentor team",
        sql: r#"
DEFINE TABLE gantt_task SCHEMAFULL;
DEFINE FIELD project ON gantt_task TYPE string;
DEFINE FIELD branch ON gantt_task TYPE string;
DEFINE FIELD name ON gantt_task TYPE string ASSERT string::len($value) >= 1 AND string::len($value) <= 60;
DEFINE FIELD parent ON gantt_task TYPE option<string | null>;
DEFINE FIELD owner ON gantt_task TYPE string DEFAULT '';
DEFINE FIELD start ON gantt_task TYPE string;
DEFINE FIELD duration ON gantt_task TYPE int;
DEFINE FIELD milestone ON gantt_task TYPE bool DEFAULT false;
DEFINE FIELD actual_start ON gantt_task TYPE string DEFAULT '';
DEFINE FIELD actual_finish ON gantt_task TYPE string DEFAULT '';
DEFINE FIELD progress ON gantt_task TYPE int DEFAULT 0 ASSERT $value >= 0 AND $value <= 100;
DEFINE FIELD notes ON gantt_task TYPE string DEFAULT '';
DEFINE FIELD sort ON gantt_task TYPE int DEFAULT 0;
DEFINE FIELD removed ON gantt_task TYPE bool DEFAULT false;
-- Saved when the project is filed: the schedule as approved.
DEFINE FIELD baseline_start ON gantt_task TYPE option<string>;
DEFINE FIELD baseline_finish ON gantt_task TYPE option<string>;
DEFINE FIELD clocks ON gantt_task TYPE object FLEXIBLE DEFAULT {};
DEFINE FIELD seq ON gantt_task TYPE int DEFAULT 0;
DEFINE INDEX gantt_task_project ON gantt_task FIELDS project;
DEFINE INDEX gantt_task_seq ON gantt_task FIELDS seq;
DEFINE INDEX gantt_task_branch_seq ON gantt_task FIELDS branch, seq;

DEFINE TABLE gantt_link SCHEMAFULL;
DEFINE FIELD project ON gantt_link TYPE string;
DEFINE FIELD branch ON gantt_link TYPE string;
DEFINE FIELD from ON gantt_link TYPE string;
DEFINE FIELD to ON gantt_link TYPE string;
DEFINE FIELD lag ON gantt_link TYPE int DEFAULT 0;
DEFINE FIELD removed ON gantt_link TYPE bool DEFAULT false;
DEFINE FIELD clocks ON gantt_link TYPE object FLEXIBLE DEFAULT {};
DEFINE FIELD seq ON gantt_link TYPE int DEFAULT 0;
DEFINE INDEX gantt_link_project ON gantt_link FIELDS project;
DEFINE INDEX gantt_link_seq ON gantt_link FIELDS seq;
DEFINE INDEX gantt_link_branch_seq ON gantt_link FIELDS branch, seq;

-- Keyed by the date: public holidays and the weekend days worked instead (调休).
DEFINE TABLE calendar_day SCHEMAFULL;
DEFINE FIELD kind ON calendar_day TYPE string ASSERT $value IN ['holiday', 'workday'];
DEFINE FIELD name ON calendar_day TYPE string DEFAULT '';
DEFINE FIELD clocks ON calendar_day TYPE object FLEXIBLE DEFAULT {};
DEFINE FIELD seq ON calendar_day TYPE int DEFAULT 0;
DEFINE INDEX calendar_day_seq ON calendar_day FIELDS seq;

DEFINE TABLE mentor SCHEMAFULL;
DEFINE FIELD name ON mentor TYPE string ASSERT string::len($value) >= 1 AND string::len($value) <= 20;
DEFINE FIELD kind ON mentor TYPE string ASSERT $value IN ['street_leader', 'secretary', 'governance_expert', 'property_expert'];
DEFINE FIELD expertise ON mentor TYPE string DEFAULT '';
DEFINE FIELD account ON mentor TYPE option<string | null>;
DEFINE FIELD clocks ON mentor TYPE object FLEXIBLE DEFAULT {};
DEFINE FIELD seq ON mentor TYPE int DEFAULT 0;
DEFINE INDEX mentor_seq ON mentor FIELDS seq;
DEFINE INDEX mentor_account ON mentor FIELDS account;

DEFINE TABLE mentor_pairing SCHEMAFULL;
DEFINE FIELD mentor ON mentor_pairing TYPE string;
DEFINE FIELD branch ON mentor_pairing TYPE string;
DEFINE FIELD starts_on ON mentor_pairing TYPE string;
DEFINE FIELD ends_on ON mentor_pairing TYPE string DEFAULT '';
DEFINE FIELD additional ON mentor_pairing TYPE bool DEFAULT false;
DEFINE FIELD clocks ON mentor_pairing TYPE object FLEXIBLE DEFAULT {};
DEFINE FIELD seq ON mentor_pairing TYPE int DEFAULT 0;
DEFINE INDEX mentor_pairing_seq ON mentor_pairing FIELDS seq;

DEFINE TABLE mentor_session SCHEMAFULL;
DEFINE FIELD mentor ON mentor_session TYPE string;
DEFINE FIELD branch ON mentor_session TYPE string;
DEFINE FIELD project ON mentor_session TYPE option<string | null>;
DEFINE FIELD date ON mentor_session TYPE string;
DEFINE FIELD form ON mentor_session TYPE string ASSERT $value IN ['one_to_one', 'hands_on', 'face_to_face'];
DEFINE FIELD outcomes ON mentor_session TYPE array<string> DEFAULT [];
DEFINE FIELD summary ON mentor_session TYPE string ASSERT string::len($value) >= 1 AND string::len($value) <= 1000;
DEFINE FIELD clocks ON mentor_session TYPE object FLEXIBLE DEFAULT {};
DEFINE FIELD seq ON mentor_session TYPE int DEFAULT 0;
DEFINE INDEX mentor_session_seq ON mentor_session FIELDS seq;
DEFINE INDEX mentor_session_branch_seq ON mentor_session FIELDS branch, seq;
DEFINE INDEX mentor_session_branch_date ON mentor_session FIELDS branch, date;
"#,
    },
    Migration {
        version: 6,
        name: "a calendar day can be set back to an ordinary day",
        sql: r#"
DEFINE FIELD OVERWRITE kind ON calendar_day TYPE string ASSERT $value IN ['holiday', 'workday', 'normal'];
"#,
    },
    Migration {
        version: 7,
        name: "residents: brand pages, volunteer teams, activities and sign-ups",
        sql: r#"
DEFINE TABLE brand SCHEMAFULL;
DEFINE FIELD name ON brand TYPE string;
DEFINE FIELD slogan ON brand TYPE string DEFAULT '';
DEFINE FIELD story ON brand TYPE string DEFAULT '';
DEFINE FIELD join ON brand TYPE string DEFAULT '';
-- Outcomes people can see, e.g. 文源社区's monthly 12345 work orders and satisfaction:
-- [{label, orders, satisfaction}], written by the demo and by imports.
DEFINE FIELD outcomes ON brand TYPE array<object> FLEXIBLE DEFAULT [];
DEFINE FIELD clocks ON brand TYPE object FLEXIBLE DEFAULT {};
DEFINE FIELD seq ON brand TYPE int DEFAULT 0;
DEFINE INDEX brand_seq ON brand FIELDS seq;

DEFINE TABLE volunteer_team SCHEMAFULL;
DEFINE FIELD branch ON volunteer_team TYPE string;
DEFINE FIELD name ON volunteer_team TYPE string;
DEFINE FIELD leader ON volunteer_team TYPE string DEFAULT '';
DEFINE FIELD intro ON volunteer_team TYPE string DEFAULT '';
DEFINE FIELD clocks ON volunteer_team TYPE object FLEXIBLE DEFAULT {};
DEFINE FIELD seq ON volunteer_team TYPE int DEFAULT 0;
DEFINE INDEX volunteer_team_seq ON volunteer_team FIELDS seq;
DEFINE INDEX volunteer_team_branch ON volunteer_team FIELDS branch;

DEFINE TABLE activity SCHEMAFULL;
DEFINE FIELD branch ON activity TYPE string;
DEFINE FIELD team ON activity TYPE string;
DEFINE FIELD title ON activity TYPE string;
DEFINE FIELD place ON activity TYPE string;
DEFINE FIELD starts_at ON activity TYPE string;
DEFINE FIELD ends_at ON activity TYPE string;
DEFINE FIELD capacity ON activity TYPE int ASSERT $value >= 1;
DEFINE FIELD bring ON activity TYPE string DEFAULT '';
DEFINE FIELD notice ON activity TYPE string DEFAULT '';
DEFINE FIELD checkin_code ON activity TYPE string;
DEFINE FIELD cancelled ON activity TYPE bool DEFAULT false;
DEFINE FIELD clocks ON activity TYPE object FLEXIBLE DEFAULT {};
DEFINE FIELD seq ON activity TYPE int DEFAULT 0;
DEFINE INDEX activity_seq ON activity FIELDS seq;
DEFINE INDEX activity_branch_starts ON activity FIELDS branch, starts_at;
DEFINE INDEX activity_starts ON activity FIELDS starts_at;

-- Names and phones only sealed (server::pii): ciphertext, a mask, and a keyed hash of
-- the phone for duplicates and limits. Erasure blanks all of them, here and in the log.
DEFINE TABLE signup SCHEMAFULL;
DEFINE FIELD activity ON signup TYPE string;
DEFINE FIELD branch ON signup TYPE string;
DEFINE FIELD name_cipher ON signup TYPE string;
DEFINE FIELD name_mask ON signup TYPE string;
DEFINE FIELD phone_cipher ON signup TYPE string DEFAULT '';
DEFINE FIELD phone_hash ON signup TYPE string DEFAULT '';
DEFINE FIELD phone_mask ON signup TYPE string DEFAULT '';
DEFINE FIELD phone_invalid ON signup TYPE bool DEFAULT false;
DEFINE FIELD consent ON signup TYPE bool DEFAULT false;
DEFINE FIELD wait ON signup TYPE bool DEFAULT false;
DEFINE FIELD walk_in ON signup TYPE bool DEFAULT false;
DEFINE FIELD active ON signup TYPE bool DEFAULT true;
DEFINE FIELD signed_at ON signup TYPE int DEFAULT 0;
DEFINE FIELD checked_in_at ON signup TYPE option<int>;
DEFINE FIELD checked_out_at ON signup TYPE option<int>;
DEFINE FIELD adjust_minutes ON signup TYPE int DEFAULT 0;
DEFINE FIELD adjust_reason ON signup TYPE string DEFAULT '';
DEFINE FIELD clocks ON signup TYPE object FLEXIBLE DEFAULT {};
DEFINE FIELD seq ON signup TYPE int DEFAULT 0;
DEFINE INDEX signup_seq ON signup FIELDS seq;
DEFINE INDEX signup_branch_seq ON signup FIELDS branch, seq;
DEFINE INDEX signup_activity ON signup FIELDS activity, signed_at;
DEFINE INDEX signup_activity_phone ON signup FIELDS activity, phone_hash;
DEFINE INDEX signup_phone ON signup FIELDS phone_hash, signed_at;
"#,
    },
    Migration {
        version: 8,
        name: "a sign-up's erasure on request is kept as a fact",
        sql: r#"
DEFINE FIELD erased ON signup TYPE bool DEFAULT false;
"#,
    },
    Migration {
        version: 9,
        name: "partner organisations and merchants apply to join a branch's commune",
        sql: r#"
DEFINE TABLE partner SCHEMAFULL;
DEFINE FIELD branch ON partner TYPE string;
DEFINE FIELD org ON partner TYPE string;
DEFINE FIELD kind ON partner TYPE string ASSERT $value IN ['social_org', 'merchant'];
DEFINE FIELD offer ON partner TYPE string DEFAULT '';
DEFINE FIELD name_cipher ON partner TYPE string;
DEFINE FIELD name_mask ON partner TYPE string;
DEFINE FIELD phone_cipher ON partner TYPE string DEFAULT '';
DEFINE FIELD phone_hash ON partner TYPE string DEFAULT '';
DEFINE FIELD phone_mask ON partner TYPE string DEFAULT '';
DEFINE FIELD phone_invalid ON partner TYPE bool DEFAULT false;
DEFINE FIELD consent ON partner TYPE bool DEFAULT false;
DEFINE FIELD status ON partner TYPE string DEFAULT 'applied' ASSERT $value IN ['applied', 'approved', 'declined'];
DEFINE FIELD clocks ON partner TYPE object FLEXIBLE DEFAULT {};
DEFINE FIELD seq ON partner TYPE int DEFAULT 0;
DEFINE INDEX partner_branch ON partner FIELDS branch, status;
DEFINE INDEX partner_seq ON partner FIELDS seq;
"#,
    },
    Migration {
        version: 10,
        name: "brand photos, kept by content hash in phone-sized variants",
        sql: r#"
-- Keyed by the SHA-256 of the uploaded file. Only re-encoded variants are kept: the
-- original, with its EXIF and location, never is.
DEFINE TABLE photo SCHEMAFULL;
DEFINE FIELD width ON photo TYPE int;
DEFINE FIELD height ON photo TYPE int;
DEFINE FIELD widths ON photo TYPE array<int>;
DEFINE FIELD uploaded_by ON photo TYPE string;
DEFINE FIELD uploaded_at ON photo TYPE int;
-- Keyed by [hash, width]: one JPEG each.
DEFINE TABLE photo_variant SCHEMAFULL;
DEFINE FIELD data ON photo_variant TYPE bytes;
DEFINE FIELD photos ON brand TYPE array<string> DEFAULT [];
"#,
    },
    Migration {
        version: 11,
        name: "a check-out outside the activity's hours carries the reason staff gave",
        sql: r#"
DEFINE FIELD checkout_reason ON signup TYPE string DEFAULT '';
"#,
    },
    Migration {
        version: 12,
        name: "branch staff's tablets pull their branch's volunteer tables",
        sql: r#"
DEFINE INDEX volunteer_team_branch_seq ON volunteer_team FIELDS branch, seq;
DEFINE INDEX activity_branch_seq ON activity FIELDS branch, seq;
DEFINE INDEX partner_branch_seq ON partner FIELDS branch, seq;
"#,
    },
    Migration {
        version: 13,
        name: "wrong check-in codes counted per sign-up and per activity and minute",
        sql: r#"
-- Keyed by the sign-up: every wrong code it was refused.
DEFINE TABLE code_tries SCHEMAFULL;
DEFINE FIELD n ON code_tries TYPE int DEFAULT 0;
-- Keyed by [activity, minute since the epoch].
DEFINE TABLE code_tries_minute SCHEMAFULL;
DEFINE FIELD n ON code_tries_minute TYPE int DEFAULT 0;
DEFINE FIELD at ON code_tries_minute TYPE int DEFAULT 0;
"#,
    },
    Migration {
        version: 14,
        name: "an account made with a one-time password must change it first",
        sql: r#"
DEFINE FIELD must_change_password ON account TYPE bool DEFAULT false;
"#,
    },
    Migration {
        version: 15,
        name: "erasure finds every log entry made with a phone",
        sql: r#"
DEFINE INDEX op_phone_hash ON op FIELDS kind.fields.phone_hash;
"#,
    },
    Migration {
        version: 16,
        name: "sign-in tries under names that do not exist, counted like an account's",
        sql: r#"
-- Keyed by the SHA-256 of the name typed; never the name itself.
DEFINE TABLE login_unknown SCHEMAFULL;
DEFINE FIELD n ON login_unknown TYPE int DEFAULT 0;
DEFINE FIELD first_at ON login_unknown TYPE int DEFAULT 0;
DEFINE INDEX login_unknown_first_at ON login_unknown FIELDS first_at;
"#,
    },
];

/// Applies every migration the database has not recorded yet. Returns how many ran.
pub async fn migrate(db: &Db) -> Result<usize, surrealdb::Error> {
    let mut ran = 0;
    for migration in MIGRATIONS {
        let done: Option<i64> =
            app::db::row(db, "SELECT VALUE applied_at FROM ONLY type::record('migration', $version)", json!({ "version": migration.version }))
                .await
                .or_else(|e| if e.to_string().contains("does not exist") { Ok(None) } else { Err(e) })?;
        if done.is_some() {
            continue;
        }
        let sql = format!(
            "BEGIN TRANSACTION;\n{}\nCREATE type::record('migration', $version) SET name = $name, applied_at = $now;\nCOMMIT TRANSACTION;",
            migration.sql
        );
        db.query(sql).bind(json!({ "version": migration.version, "name": migration.name, "now": app::db::now_ms() })).await?.check()?;
        tracing::info!(version = migration.version, name = migration.name, "migrated");
        ran += 1;
    }
    Ok(ran)
}
