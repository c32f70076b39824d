//! A minimal plain-HTTP GET for health checks inside a `FROM scratch` image.
//!
//! Scratch has no shell, no wget and no CA bundle, so the image's health check execs the
//! binary itself; building a reqwest client there would panic on the missing CA store, so
//! this speaks HTTP/1.0 over a `TcpStream` with std only.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

/// `GET url` (http only) and return the status code.
pub fn probe(url: &str, timeout: Duration) -> Result<u16, String> {
    let (host, port, path) = split_http_url(url)?;
    let addr = (host.as_str(), port)
        .to_socket_addrs()
        .map_err(|e| format!("cannot resolve {host}:{port}: {e}"))?
        .next()
        .ok_or_else(|| format!("{host}:{port} resolves to nothing"))?;
    let mut s = TcpStream::connect_timeout(&addr, timeout).map_err(|e| format!("cannot connect to {addr}: {e}"))?;
    s.set_read_timeout(Some(timeout)).map_err(|e| e.to_string())?;
    s.set_write_timeout(Some(timeout)).map_err(|e| e.to_string())?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n")
        .map_err(|e| format!("cannot send to {addr}: {e}"))?;
    // The status line fits in the first read of any sane server; cap what we keep.
    let mut head = Vec::with_capacity(256);
    s.take(4096).read_to_end(&mut head).map_err(|e| format!("cannot read from {addr}: {e}"))?;
    parse_status(&head).ok_or_else(|| format!("{url} answered without an HTTP status line"))
}

fn split_http_url(url: &str) -> Result<(String, u16, String), String> {
    let rest = url.strip_prefix("http://").ok_or_else(|| format!("only http:// URLs can be probed, got {url:?}"))?;
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let (host, port) = match authority.rsplit_once(':') {
        Some((h, p)) => (h, p.parse::<u16>().map_err(|_| format!("bad port in {url:?}"))?),
        None => (authority, 80),
    };
    if host.is_empty() {
        return Err(format!("no host in {url:?}"));
    }
    Ok((host.trim_start_matches('[').trim_end_matches(']').to_owned(), port, path.to_owned()))
}

fn parse_status(head: &[u8]) -> Option<u16> {
    let line = head.split(|b| *b == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?;
    let mut words = line.split_whitespace();
    words.next().filter(|v| v.starts_with("HTTP/"))?;
    words.next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_urls_and_status_lines() {
        assert_eq!(split_http_url("http://localhost:8000/agent-card").unwrap(), ("localhost".into(), 8000, "/agent-card".into()));
        assert_eq!(split_http_url("http://h").unwrap(), ("h".into(), 80, "/".into()));
        assert!(split_http_url("https://h/").is_err());
        assert!(split_http_url("http://h:x/").is_err());
        assert_eq!(parse_status(b"HTTP/1.1 404 Not Found\r\n"), Some(404));
        assert_eq!(parse_status(b"garbage"), None);
    }
}
