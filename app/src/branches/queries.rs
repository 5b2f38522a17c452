//! Reads of branches. Every change goes through the sync module instead.

use crate::domain::org::{BranchKind, Role};
use crate::error::AppError;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BranchSummary {
    pub key: String,
    pub name: String,
    pub kind: BranchKind,
    pub phone: String,
    pub secretary: Option<String>,
    pub staff: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PersonLine {
    pub display_name: String,
    pub role: Role,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Note {
    pub text: String,
    pub author_name: String,
    pub at: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BranchDetail {
    pub key: String,
    pub name: String,
    pub kind: BranchKind,
    pub phone: String,
    pub address: String,
    pub intro: String,
    pub people: Vec<PersonLine>,
    pub notes: Vec<Note>,
    /// May the person asking change this branch?
    pub can_edit: bool,
}

#[cfg(feature = "ssr")]
mod sql {
    use super::*;
    use crate::db::{rows, Db};
    use serde_json::json;

    #[derive(Deserialize)]
    pub struct BranchRow {
        pub key: String,
        pub name: String,
        pub kind: BranchKind,
        pub phone: String,
        pub address: String,
        pub intro: String,
    }

    #[derive(Deserialize)]
    pub struct StaffRow {
        pub branch: String,
        pub display_name: String,
        pub role: Role,
    }

    const BRANCH_FIELDS: &str = "record::id(id) AS key, name, kind, phone, address, intro";

    pub async fn branches(db: &Db) -> Result<Vec<BranchRow>, AppError> {
        rows(db, &format!("SELECT {BRANCH_FIELDS}, sort FROM branch ORDER BY sort"), json!({}), 0).await.map_err(AppError::internal)
    }

    pub async fn branch(db: &Db, key: &str) -> Result<Option<BranchRow>, AppError> {
        crate::db::row(db, &format!("SELECT {BRANCH_FIELDS} FROM ONLY type::record('branch', $key)"), json!({ "key": key })).await.map_err(AppError::internal)
    }

    /// Staff of one branch, or of all branches when `branch` is `None`.
    pub async fn staff(db: &Db, branch: Option<&str>) -> Result<Vec<StaffRow>, AppError> {
        let sql = match branch {
            Some(_) => "SELECT branch, display_name, role FROM account WHERE branch = $branch ORDER BY role, username",
            None => "SELECT branch, display_name, role FROM account WHERE branch != NONE ORDER BY role, username",
        };
        rows(db, sql, json!({ "branch": branch }), 0).await.map_err(AppError::internal)
    }

    pub async fn notes(db: &Db, branch: &str) -> Result<Vec<Note>, AppError> {
        rows(db, "SELECT text, author_name, at, clock FROM branch_note WHERE branch = $branch ORDER BY clock DESC LIMIT 50", json!({ "branch": branch }), 0)
            .await
            .map_err(AppError::internal)
    }
}

/// Every branch of the street with its secretary, for any signed-in person.
#[server]
pub async fn list_branches() -> Result<Vec<BranchSummary>, AppError> {
    crate::auth::store::require_user().await?;
    let db = crate::auth::store::db()?;
    let staff = sql::staff(&db, None).await?;
    Ok(sql::branches(&db)
        .await?
        .into_iter()
        .map(|b| {
            let members: Vec<_> = staff.iter().filter(|s| s.branch == b.key).collect();
            BranchSummary {
                secretary: members.iter().find(|s| s.role == Role::BranchSecretary).map(|s| s.display_name.clone()),
                staff: members.len(),
                key: b.key,
                name: b.name,
                kind: b.kind,
                phone: b.phone,
            }
        })
        .collect())
}

/// One branch with its people and latest work notes.
#[server]
pub async fn get_branch(key: String) -> Result<BranchDetail, AppError> {
    let user = crate::auth::store::require_user().await?;
    let db = crate::auth::store::db()?;
    let branch = sql::branch(&db, &key).await?.ok_or(AppError::NotFound)?;
    let people = sql::staff(&db, Some(&key)).await?.into_iter().map(|s| PersonLine { display_name: s.display_name, role: s.role }).collect();
    let notes = sql::notes(&db, &key).await?;
    Ok(BranchDetail {
        can_edit: user.actor().may_edit_branch(&key),
        key: branch.key,
        name: branch.name,
        kind: branch.kind,
        phone: branch.phone,
        address: branch.address,
        intro: branch.intro,
        people,
        notes,
    })
}
