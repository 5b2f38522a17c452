//! Which records operations may write, which fields and lists they have, what values
//! are valid, and who may write them. The server validates every operation with
//! `validate`, and the browser validates with the same function before queueing one.

use super::auth::check_password_change;
use super::ops::{OpKind, Operation, Reason};
use super::org::{Actor, Role};
use serde_json::Value;

/// The tables operations may touch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    Branch,
    Account,
}

impl Table {
    pub fn from_name(name: &str) -> Option<Table> {
        match name {
            "branch" => Some(Table::Branch),
            "account" => Some(Table::Account),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Table::Branch => "branch",
            Table::Account => "account",
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
        let fields: &[FieldSpec] = match self {
            Table::Branch => BRANCH_FIELDS,
            Table::Account => ACCOUNT_FIELDS,
        };
        fields.iter().find(|f| f.name == name)
    }

    fn list(self, name: &str) -> Option<&'static ListSpec> {
        let lists: &[ListSpec] = match self {
            Table::Branch => BRANCH_LISTS,
            Table::Account => &[],
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
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// Text of `min..=max` characters, trimmed.
    Text { min: usize, max: usize },
    /// A phone number: digits, spaces, `+` and `-`, 5 to 20 characters, or empty.
    Phone,
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

const BRANCH_LISTS: &[ListSpec] = &[ListSpec {
    name: "notes",
    text: ValueKind::Text { min: 1, max: 1000 },
    access: Access::BranchStaff,
}];

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
pub fn validate(actor: &Actor, op: &Operation, target: &Target) -> Result<Table, Reason> {
    let table = Table::from_name(&op.table).ok_or(Reason::UnknownTable)?;
    match &op.kind {
        OpKind::Set { fields } => {
            if fields.is_empty() {
                return Err(Reason::EmptyOperation);
            }
            for (name, value) in fields {
                let spec = table.field(name).ok_or_else(|| Reason::UnknownField { field: name.clone() })?;
                if !may_access(actor, spec.access, target) {
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

fn may_access(actor: &Actor, access: Access, target: &Target) -> bool {
    match access {
        Access::StreetOnly => actor.role == Role::StreetStaff,
        Access::BranchStaff => target.branch.as_deref().is_some_and(|b| actor.may_edit_branch(b)),
        Access::OwnerOrStreet => {
            actor.role == Role::StreetStaff || target.account.as_deref() == Some(actor.account.as_str())
        }
    }
}

/// Is `value` acceptable for a field of this kind?
pub fn valid_value(kind: ValueKind, value: &Value) -> bool {
    let Some(text) = value.as_str() else { return false };
    match kind {
        ValueKind::Text { min, max } => {
            let chars = text.trim().chars().count();
            chars >= min && chars <= max && text.trim().len() == text.len()
        }
        ValueKind::Phone => {
            text.is_empty()
                || ((5..=20).contains(&text.len())
                    && text.chars().all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | ' ')))
        }
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

    fn op(table: &str, kind: OpKind) -> Operation {
        Operation::new(table, "k", kind, Stamp { ms: 1, counter: 0, node: "n".into() })
    }

    fn set(table: &str, field: &str, value: Value) -> Operation {
        op(table, OpKind::Set { fields: [(field.to_string(), value)].into() })
    }

    fn check(actor: Actor, op: Operation, target: Target, expected: Result<Table, Reason>) {
        assert_eq!(validate(&actor, &op, &target), expected, "{op:?}");
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
    fn transitions_are_refused_where_no_lifecycle_exists() {
        let t = op("branch", OpKind::Transition { to: "filed".into(), note: None });
        check(street(), t, branch("wx"), Err(Reason::TransitionNotAllowed));
    }
}
