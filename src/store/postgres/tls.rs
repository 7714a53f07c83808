//! The rustls client configuration for `ssl = "require"` and `"verify-full"`, on the aws-lc-rs
//! provider the HTTP client already uses (chosen explicitly: with two providers in the tree
//! rustls will not pick one itself).

use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::{WebPkiSupportedAlgorithms, aws_lc_rs};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme};

use crate::config::database::Ssl;

/// The client configuration for `ssl` (`None` for `disable`): `verify-full` checks the chain
/// against `root_cert` (PEM) or the system's roots, and the host name; `require` encrypts only.
///
/// # Errors
/// A message naming the certificate file or what the platform verifier lacked.
pub(super) fn client_config(ssl: Ssl, root_cert: Option<&Path>) -> Result<Option<ClientConfig>, String> {
    let provider = Arc::new(aws_lc_rs::default_provider());
    let builder = ClientConfig::builder_with_provider(Arc::clone(&provider))
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let config = match (ssl, root_cert) {
        (Ssl::Disable, _) => return Ok(None),
        (Ssl::VerifyFull, Some(path)) => {
            let mut roots = RootCertStore::empty();
            let shown = path.display();
            let certs =
                CertificateDer::pem_file_iter(path).map_err(|e| format!("cannot read ssl_root_cert {shown}: {e}"))?;
            for cert in certs {
                let cert = cert.map_err(|e| format!("ssl_root_cert {shown}: {e}"))?;
                roots.add(cert).map_err(|e| format!("ssl_root_cert {shown}: {e}"))?;
            }
            if roots.is_empty() {
                return Err(format!("ssl_root_cert {shown} holds no certificate (PEM)"));
            }
            builder.with_root_certificates(roots).with_no_client_auth()
        }
        (Ssl::VerifyFull, None) => {
            let verifier = rustls_platform_verifier::Verifier::new(Arc::clone(&provider))
                .map_err(|e| format!("cannot load the system's root certificates: {e}"))?;
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(verifier))
                .with_no_client_auth()
        }
        (Ssl::Require, _) => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(EncryptOnly(provider.signature_verification_algorithms)))
            .with_no_client_auth(),
    };
    Ok(Some(config))
}

/// libpq's `sslmode=require`: any certificate is accepted, but the handshake's signatures are still
/// checked, so the session key belongs to whoever holds that certificate's key.
#[derive(Debug)]
struct EncryptOnly(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}
