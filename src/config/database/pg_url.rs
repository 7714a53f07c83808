//! A `postgres://` URL as anbud accepts it: never with a password, libpq-only parameters taken out
//! (tokio-postgres refuses `sslmode=verify-full`, `sslrootcert` and `passfile`) and kept as values.
//!
//! Errors show the URL [`redact`]ed, so a password typed into one is never printed.

use std::net::IpAddr;
use std::path::PathBuf;

use super::Ssl;

/// A checked PostgreSQL URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PgUrl {
    /// The URL without the parameters anbud handles itself: what tokio-postgres parses.
    conninfo: String,
    /// The role to log in as (required: in team mode the role is the person).
    pub user: String,
    /// Host names, addresses or socket folders, decoded, in the order given.
    pub hosts: Vec<String>,
    /// The port of each host (`None`: 5432).
    pub ports: Vec<Option<u16>>,
    /// The database (`None`: the role's name, as libpq does).
    pub dbname: Option<String>,
    /// `sslmode=` from the URL.
    pub sslmode: Option<Ssl>,
    /// `sslrootcert=` from the URL.
    pub sslrootcert: Option<PathBuf>,
    /// `passfile=` from the URL.
    pub passfile: Option<PathBuf>,
}

/// What to do instead of putting a password in the URL.
const NO_PASSWORD: &str = "remove it and give the password in the environment variable named by \
     `password_env` (PGPASSWORD by default) or in ~/.pgpass (mode 600)";

impl PgUrl {
    /// Parses and checks `text`.
    ///
    /// # Errors
    /// A message for the user naming the URL with any password hidden, saying what to change.
    pub fn parse(text: &str) -> Result<PgUrl, String> {
        let shown = redact(text);
        let fail = |why: &str| Err(format!("database URL {shown}: {why}"));
        let Some(rest) = text
            .strip_prefix("postgres://")
            .or_else(|| text.strip_prefix("postgresql://"))
        else {
            return fail("must start with postgres:// (e.g. postgres://kari@db.example.no/anbud)");
        };
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
        let Some((userinfo, hostspec)) = authority.rsplit_once('@') else {
            return fail("names no role: write it before the host, postgres://ROLE@HOST/DATABASE");
        };
        if userinfo.contains(':') {
            return fail(&format!("carries a password: {NO_PASSWORD}"));
        }
        let user = decode(userinfo).map_err(|e| format!("database URL {shown}: role: {e}"))?;
        if user.is_empty() {
            return fail("names no role: write it before the host, postgres://ROLE@HOST/DATABASE");
        }
        let mut url = PgUrl {
            conninfo: String::new(),
            user,
            hosts: Vec::new(),
            ports: Vec::new(),
            dbname: None,
            sslmode: None,
            sslrootcert: None,
            passfile: None,
        };
        if !hostspec.is_empty() {
            for one in hostspec.split(',') {
                let (host, port) = split_port(one).map_err(|e| format!("database URL {shown}: {e}"))?;
                url.hosts
                    .push(decode(host).map_err(|e| format!("database URL {shown}: host: {e}"))?);
                url.ports.push(port);
            }
        }
        if !path.is_empty() {
            url.dbname = Some(decode(path).map_err(|e| format!("database URL {shown}: database: {e}"))?);
        }
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let value = decode(value).map_err(|e| format!("database URL {shown}: {key}: {e}"))?;
            match key {
                "password" => return fail(&format!("carries a password: {NO_PASSWORD}")),
                "sslmode" => {
                    url.sslmode = Some(Ssl::from_sslmode(&value).map_err(|e| format!("database URL {shown}: {e}"))?);
                }
                "sslrootcert" => url.sslrootcert = Some(PathBuf::from(value)),
                "passfile" => url.passfile = Some(PathBuf::from(value)),
                "sslcert" | "sslkey" => {
                    return fail("client certificates (sslcert, sslkey) are not supported: log in with a password");
                }
                "host" if url.hosts.is_empty() => {
                    url.hosts = value.split(',').map(str::to_owned).collect();
                    url.ports = vec![None; url.hosts.len()];
                    kept.push(pair);
                }
                _ => kept.push(pair),
            }
        }
        if url.hosts.is_empty() || url.hosts.iter().any(String::is_empty) {
            return fail("names no host: postgres://ROLE@HOST/DATABASE");
        }
        url.conninfo = format!("postgres://{authority}");
        if !path.is_empty() {
            url.conninfo.push('/');
            url.conninfo.push_str(path);
        }
        if !kept.is_empty() {
            url.conninfo.push('?');
            url.conninfo.push_str(&kept.join("&"));
        }
        Ok(url)
    }

    /// The URL for tokio-postgres: the libpq-only parameters taken out, no password in it.
    pub fn conninfo(&self) -> &str {
        &self.conninfo
    }

    /// Whether every host is this machine (a loopback address, `localhost` or a socket folder),
    /// where an unencrypted connection cannot be read on the wire by anyone else.
    pub fn is_local(&self) -> bool {
        self.hosts.iter().all(|host| {
            host == "localhost" || host.starts_with('/') || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
        })
    }
}

/// The URL as shown in messages (it holds no password: [`PgUrl::parse`] refuses those).
impl std::fmt::Display for PgUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&redact(&self.conninfo))
    }
}

/// `text` with the password of `ROLE:PASSWORD@` and any `password=` parameter replaced by `***`:
/// for messages about a URL that may hold one.
pub fn redact(text: &str) -> String {
    let (main, query) = match text.split_once('?') {
        Some((main, query)) => (main, Some(query)),
        None => (text, None),
    };
    let mut out = match main.split_once("://") {
        Some((scheme, rest)) => {
            let authority_end = rest.find('/').unwrap_or(rest.len());
            let (authority, path) = rest.split_at(authority_end);
            match authority.rsplit_once('@') {
                Some((userinfo, hosts)) => match userinfo.split_once(':') {
                    Some((user, _)) => format!("{scheme}://{user}:***@{hosts}{path}"),
                    None => main.to_owned(),
                },
                None => main.to_owned(),
            }
        }
        None => main.to_owned(),
    };
    if let Some(query) = query {
        let pairs: Vec<String> = query
            .split('&')
            .map(|pair| match pair.split_once('=') {
                Some(("password", _)) => "password=***".to_owned(),
                _ => pair.to_owned(),
            })
            .collect();
        out.push('?');
        out.push_str(&pairs.join("&"));
    }
    out
}

/// `host:port`, `[v6]:port` or a bare host.
fn split_port(one: &str) -> Result<(&str, Option<u16>), String> {
    let (host, port) = if let Some(v6) = one.strip_prefix('[') {
        let (host, after) = v6
            .split_once(']')
            .ok_or_else(|| format!("host {one:?} lacks its closing ]"))?;
        (host, after.strip_prefix(':'))
    } else {
        match one.rsplit_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (one, None),
        }
    };
    let port = port
        .map(|p| {
            p.parse::<u16>()
                .map_err(|_| format!("port {p:?} is not a number from 1 to 65535"))
        })
        .transpose()?;
    Ok((host, port))
}

/// Percent-decoding, as URLs need for `@`, `/` and `:` in names and socket paths.
fn decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| format!("bad percent escape at {:?}", &text[i..]))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| "percent escapes that are not UTF-8".to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plain_url_keeps_role_host_port_and_database() {
        let url = PgUrl::parse("postgres://kari@db.example.no:6432/anbud").expect("valid");
        assert_eq!(url.user, "kari");
        assert_eq!(url.hosts, ["db.example.no"]);
        assert_eq!(url.ports, [Some(6432)]);
        assert_eq!(url.dbname.as_deref(), Some("anbud"));
        assert_eq!(url.conninfo(), "postgres://kari@db.example.no:6432/anbud");
        assert!(!url.is_local());
    }

    #[test]
    fn a_password_in_the_url_is_refused_and_never_shown() {
        for text in [
            "postgres://kari:hunter2@db.example.no/anbud",
            "postgres://kari@db.example.no/anbud?password=hunter2",
        ] {
            let error = PgUrl::parse(text).expect_err("refused");
            assert!(!error.contains("hunter2"), "{error}");
            assert!(error.contains("password_env") && error.contains(".pgpass"), "{error}");
        }
    }

    #[test]
    fn redact_hides_both_password_forms() {
        assert_eq!(
            redact("postgres://kari:s3cret@h/db?password=x&sslmode=require"),
            "postgres://kari:***@h/db?password=***&sslmode=require"
        );
        assert_eq!(redact("postgres://kari@h/db"), "postgres://kari@h/db");
    }

    #[test]
    fn libpq_parameters_are_taken_out_and_mapped() {
        let url = PgUrl::parse(
            "postgresql://kari@db/anbud?sslmode=verify-full&sslrootcert=/etc/ca.pem&passfile=/p&application_name=x",
        )
        .expect("valid");
        assert_eq!(url.sslmode, Some(Ssl::VerifyFull));
        assert_eq!(url.sslrootcert, Some(PathBuf::from("/etc/ca.pem")));
        assert_eq!(url.passfile, Some(PathBuf::from("/p")));
        assert_eq!(url.conninfo(), "postgres://kari@db/anbud?application_name=x");
    }

    #[test]
    fn plaintext_fallback_modes_and_client_certificates_are_refused() {
        for (text, says) in [
            ("postgres://k@db/a?sslmode=prefer", "plaintext"),
            ("postgres://k@db/a?sslmode=allow", "plaintext"),
            ("postgres://k@db/a?sslmode=verify-ca", "verify-full"),
            ("postgres://k@db/a?sslcert=/c.pem", "client certificates"),
        ] {
            let error = PgUrl::parse(text).expect_err(text);
            assert!(error.contains(says), "{text}: {error}");
        }
    }

    #[test]
    fn a_role_and_a_host_are_required() {
        assert!(
            PgUrl::parse("postgres://db.example.no/anbud")
                .expect_err("no role")
                .contains("no role")
        );
        assert!(
            PgUrl::parse("postgres://kari@/anbud")
                .expect_err("no host")
                .contains("no host")
        );
        assert!(
            PgUrl::parse("mysql://kari@db/anbud")
                .expect_err("scheme")
                .contains("postgres://")
        );
        assert!(
            PgUrl::parse("postgres://kari@db:99999/anbud")
                .expect_err("port")
                .contains("port")
        );
    }

    #[test]
    fn loopback_hosts_and_socket_folders_are_local() {
        for text in [
            "postgres://k@127.0.0.1:5432/a",
            "postgres://k@localhost/a",
            "postgres://k@[::1]:5432/a",
            "postgres://k@%2Fvar%2Frun%2Fpostgresql/a",
            "postgres://k@/a?host=/var/run/postgresql",
        ] {
            let url = PgUrl::parse(text).expect(text);
            assert!(url.is_local(), "{text}: {url:?}");
        }
        assert!(
            !PgUrl::parse("postgres://k@127.0.0.1,db.example.no/a")
                .expect("valid")
                .is_local()
        );
        assert!(!PgUrl::parse("postgres://k@10.0.0.5/a").expect("valid").is_local());
    }
}
