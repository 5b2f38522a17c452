//! The street, its branches, and the people who sign in.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 街道党工委工作人员: administers everything.
    StreetStaff,
    /// 党支部书记.
    BranchSecretary,
    /// 社区干部.
    CommunityStaff,
    /// 导师团成员.
    Mentor,
    /// 包联领导.
    LiaisonLeader,
    /// A resident without an account, acting through a public form or their sign-up's
    /// private link (the actor's account is then `resident:<sign-up key>`). Never signs in,
    /// so it is not in `ALL`.
    Resident,
}

impl Role {
    pub const ALL: [Role; 5] = [Role::StreetStaff, Role::BranchSecretary, Role::CommunityStaff, Role::Mentor, Role::LiaisonLeader];

    pub fn code(self) -> &'static str {
        match self {
            Role::StreetStaff => "street_staff",
            Role::BranchSecretary => "branch_secretary",
            Role::CommunityStaff => "community_staff",
            Role::Mentor => "mentor",
            Role::LiaisonLeader => "liaison_leader",
            Role::Resident => "resident",
        }
    }

    pub fn from_code(code: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.code() == code)
    }

    /// Roles that belong to one branch and act within it.
    pub fn is_branch_staff(self) -> bool {
        matches!(self, Role::BranchSecretary | Role::CommunityStaff)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BranchKind {
    /// 村.
    Village,
    /// 社区.
    Community,
    /// 其他（两新组织、机关等）.
    Other,
}

impl BranchKind {
    pub fn code(self) -> &'static str {
        match self {
            BranchKind::Village => "village",
            BranchKind::Community => "community",
            BranchKind::Other => "other",
        }
    }
}

/// Who performs an operation. It always comes from the server's session, never from
/// the body of a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    /// Key of the person's account record.
    pub account: String,
    pub role: Role,
    /// The branch a secretary or community staff member belongs to.
    pub branch: Option<String>,
}

impl Actor {
    /// May this actor change records that belong to `branch`?
    pub fn may_edit_branch(&self, branch: &str) -> bool {
        match self.role {
            Role::StreetStaff => true,
            Role::BranchSecretary | Role::CommunityStaff => self.branch.as_deref() == Some(branch),
            Role::Mentor | Role::LiaisonLeader | Role::Resident => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, branch: Option<&str>) -> Actor {
        Actor { account: "a".into(), role, branch: branch.map(Into::into) }
    }

    #[test]
    fn role_codes_round_trip() {
        for role in Role::ALL {
            assert_eq!(Role::from_code(role.code()), Some(role));
        }
        assert_eq!(Role::from_code("resident"), None);
    }

    #[test]
    fn who_may_edit_a_branch() {
        let cases = [
            (actor(Role::StreetStaff, None), "wenxing", true),
            (actor(Role::BranchSecretary, Some("wenxing")), "wenxing", true),
            (actor(Role::BranchSecretary, Some("wenyuan")), "wenxing", false),
            (actor(Role::CommunityStaff, Some("wenxing")), "wenxing", true),
            (actor(Role::CommunityStaff, None), "wenxing", false),
            (actor(Role::Mentor, Some("wenxing")), "wenxing", false),
            (actor(Role::LiaisonLeader, None), "wenxing", false),
        ];
        for (actor, branch, expected) in cases {
            assert_eq!(actor.may_edit_branch(branch), expected, "{actor:?} on {branch}");
        }
    }
}
