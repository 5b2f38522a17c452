//! The mentor team (`mentors`): `/mentors`, the pairing graph and the sessions.
