//! The HTTP foundations every room shares (the clients, the stand-in's proxy, the test
//! kits): the crypto provider and the one way a `reqwest` client is built. It knows nothing of
//! the platform, so the stand-in and the runtime can use it without importing the clients.

/// Make ring the process's rustls crypto provider, unless one is installed already (either
/// serves). reqwest is built without a bundled provider (aws-lc is a long C build) and panics
/// building a client, even a plain-HTTP one, while none is installed: call this before
/// building a `reqwest::Client` of your own. Every client of this module does.
pub fn install_crypto_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Err only when another thread installed one first: that one serves.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// A reqwest builder for talking to `base`, with the crypto provider installed. A
/// plain-`http://` base never negotiates TLS, so its client trusts no roots at all instead of
/// loading the system's (parsing them costs tens of milliseconds of CPU per client, which
/// dominated the hermetic tiers). A redirect to `https://` then fails verification: closed.
/// Every client of the crate and its tests starts here.
pub fn client_builder(base: &str) -> reqwest::ClientBuilder {
    install_crypto_provider();
    let builder = reqwest::Client::builder();
    if base.starts_with("http://") { builder.tls_certs_only(std::iter::empty()) } else { builder }
}
