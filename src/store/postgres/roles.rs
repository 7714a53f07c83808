//! The SQL an admin runs to give a team least privilege (`anbud team sql --members kari,ola`):
//! a group role for triagers, a poller role, and one login role per member. Creating roles needs
//! CREATEROLE, which anbud's own roles should not have, so anbud prints the SQL instead of
//! running it. It holds no passwords (each member sets their own with psql's `\password`) and can
//! be run again to add members.

/// The group every member is in: reads the shared tables, writes triage, its log and comments.
pub const TRIAGER: &str = "anbud_triager";
/// The role `anbud poll --once` logs in as: writes notices, their changes and feed state only.
pub const POLLER: &str = "anbud_poller";

/// Names a role may not have: PostgreSQL's own, anbud's groups, and the keywords `GRANT … TO`
/// reads specially.
const RESERVED: [&str; 7] = [
    TRIAGER,
    POLLER,
    "public",
    "none",
    "current_user",
    "session_user",
    "current_role",
];

/// A member's role name: lower-case letters, digits and `_`, starting with a letter or `_`, at
/// most 63 bytes (PostgreSQL's limit), so it needs no quoting in psql and reads the same in logs.
///
/// # Errors
/// What is wrong with `name` and what to use.
pub fn check_member(name: &str) -> Result<(), String> {
    let mut chars = name.chars();
    let valid = chars.next().is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !valid || name.len() > 63 {
        return Err(format!(
            "member {name:?} is not a role name: use lower-case letters, digits and _ (at most 63), e.g. \"kari\""
        ));
    }
    if name.starts_with("pg_") || RESERVED.contains(&name) {
        return Err(format!("member {name:?} is a reserved role name: pick another"));
    }
    Ok(())
}

/// `name` as a quoted identifier.
fn ident(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `text` as a quoted string literal.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// `CREATE ROLE` unless the role exists, so the script can run again.
fn create_role(name: &str, options: &str) -> String {
    format!(
        "DO $$ BEGIN\n    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {}) THEN\n        CREATE ROLE {} {options};\n    END IF;\nEND $$;\n",
        literal(name),
        ident(name)
    )
}

/// The script for `members` in `database` (when known, it also grants CONNECT on it).
///
/// # Errors
/// The first member name [`check_member`] refuses, or an empty list.
pub fn team_sql(members: &[String], database: Option<&str>) -> Result<String, String> {
    if members.is_empty() {
        return Err("no members: name them, e.g. --members kari,ola".to_owned());
    }
    for member in members {
        check_member(member)?;
    }
    let (triager, poller) = (ident(TRIAGER), ident(POLLER));
    let mut sql = String::from(
        "-- anbud team roles: run as a role with CREATEROLE (or a superuser) in the team's database,\n\
         -- after `anbud team init` created the tables. No passwords here: each member sets their own\n\
         -- (psql: \\password kari), and so does whoever runs the poll job (\\password anbud_poller).\n\
         BEGIN;\n",
    );
    sql.push_str(&create_role(TRIAGER, "NOLOGIN"));
    sql.push_str(&create_role(POLLER, "LOGIN"));
    if let Some(database) = database {
        sql.push_str(&format!(
            "GRANT CONNECT ON DATABASE {} TO {triager}, {poller};\n",
            ident(database)
        ));
    }
    sql.push_str(&format!(
        "GRANT USAGE ON SCHEMA public TO {triager}, {poller};\n\
         -- Triagers read what the team shares and write decisions, their log and comments. Author\n\
         -- and time columns are filled in by the server (current_user), so they are not granted.\n\
         GRANT SELECT ON notices, triage, triage_events, comments, members, changes, feed_state, meta,\n    \
             schema_migrations TO {triager};\n\
         GRANT INSERT (notice_id, status, reject_reason, assignee, tags, version),\n    \
             UPDATE (status, reject_reason, assignee, tags, version) ON triage TO {triager};\n\
         GRANT INSERT (op_id, batch, kind, notice_id, field, old, new, version) ON triage_events TO {triager};\n\
         GRANT INSERT (op_id, notice_id, body) ON comments TO {triager};\n\
         -- Seen marks are personal: row-level security shows each member only their own.\n\
         GRANT SELECT, INSERT (notice_id, seen_at), UPDATE (seen_at), DELETE ON seen TO {triager};\n\
         -- The poller writes notices, what changed in them, and the feeds' sync state; nothing else.\n\
         GRANT SELECT, INSERT, UPDATE ON notices, feed_state TO {poller};\n\
         GRANT INSERT ON changes TO {poller};\n\
         GRANT SELECT ON schema_migrations TO {poller};\n"
    ));
    for member in members {
        sql.push_str(&create_role(member, "LOGIN"));
        sql.push_str(&format!("GRANT {triager} TO {};\n", ident(member)));
        sql.push_str(&format!(
            "INSERT INTO members (role, display) VALUES ({}, {}) ON CONFLICT (role) DO NOTHING;\n",
            literal(member),
            literal(member)
        ));
    }
    sql.push_str("COMMIT;\n");
    Ok(sql)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_names_are_checked() {
        for good in ["kari", "ola_n", "_x1"] {
            assert_eq!(check_member(good), Ok(()), "{good}");
        }
        for bad in [
            "Kari",
            "1kari",
            "ka ri",
            "kari\"; DROP",
            "",
            "pg_monitor",
            "public",
            "anbud_poller",
        ] {
            assert!(check_member(bad).is_err(), "{bad}");
        }
        assert!(check_member(&"k".repeat(64)).is_err());
    }

    #[test]
    fn the_script_creates_each_member_in_the_triager_group_without_passwords() {
        let sql = team_sql(&["kari".to_owned(), "ola".to_owned()], Some("team \"db\"")).expect("valid");
        assert!(sql.contains("CREATE ROLE \"kari\" LOGIN;") && sql.contains("GRANT \"anbud_triager\" TO \"ola\";"));
        assert!(sql.contains("GRANT CONNECT ON DATABASE \"team \"\"db\"\"\""), "{sql}");
        assert!(!sql.to_lowercase().contains("password '"), "{sql}");
        assert!(sql.starts_with("-- ") && sql.ends_with("COMMIT;\n"));
        assert!(team_sql(&[], None).is_err());
        assert!(team_sql(&["ok".to_owned(), "Bad".to_owned()], None).is_err());
    }
}
