//! The RSS/Atom adapter and the real `HttpFetcher` against the loopback server: a Norwegian
//! municipality's RSS 2.0 feed, an Atom feed shaped like Spain's PLACSP syndication, the `since`
//! window, and malformed XML.

#![allow(clippy::unwrap_used, reason = "tests")]

use std::sync::Arc;
use std::time::Duration;

use anbud::demo::server::{CannedResponse, LoopbackServer, Route};
use anbud::demo::{RSS_DEMO_FEED, RSS_DEMO_PATH, rss_demo_routes};
use anbud::feeds::http::{HttpFetcher, HttpSettings};
use anbud::feeds::poller::{FeedSpec, PollPlan, fetch_feed, fetch_poll};
use anbud::feeds::syndication::{RssAdapter, RssSettings};
use anbud::feeds::{FeedAdapter, FeedError, ParseError};
use anbud::model::Notice;
use jiff::Timestamp;

/// Modelled on a Norwegian municipality's procurement RSS (Mercell/KGV-style listing): HTML in
/// descriptions, CPV categories, RFC 2822 dates, one item without a guid, one with a stray ESC,
/// one older than the window. The demo serves the same document.
const MUNICIPAL_RSS: &str = RSS_DEMO_FEED;

/// Modelled on PLACSP's (contrataciondelestado.es) Atom syndication: Atom entries carrying a
/// CODICE `ContractFolderStatus` with buyer, budget, CPV and the tender deadline.
const PLACSP_ATOM: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:cac="urn:dgpe:names:draft:codice:schema:xsd:CommonAggregateComponents-2" xmlns:cbc="urn:dgpe:names:draft:codice:schema:xsd:CommonBasicComponents-2" xmlns:cac-place-ext="urn:dgpe:names:draft:codice-place-ext:schema:xsd:CommonAggregateComponents-2" xmlns:cbc-place-ext="urn:dgpe:names:draft:codice-place-ext:schema:xsd:CommonBasicComponents-2">
  <id>https://contrataciondelestado.es/sindicacion/sindicacion_643/licitacionesPerfilesContratanteCompleto3.atom</id>
  <title>Licitaciones publicadas en la Plataforma de Contratación del Sector Público</title>
  <updated>2026-09-02T13:45:12.407+02:00</updated>
  <link href="https://contrataciondelestado.es/sindicacion/sindicacion_643/licitacionesPerfilesContratanteCompleto3_20260902_134512.atom" rel="next"/>
  <entry>
    <id>https://contrataciondelestado.es/sindicacion/licitacionesPerfilContratante/16489321</id>
    <link href="https://contrataciondelestado.es/wps/poc?uri=deeplink:detalle_licitacion&amp;idEvl=AbC%2BdEf"/>
    <summary type="text">Id licitación: PA 41/2026; Órgano de Contratación: Servicio Madrileño de Salud; Importe: 1250000 EUR; Estado: PUB</summary>
    <title>Suministro e implantación de un sistema de historia clínica electrónica</title>
    <updated>2026-09-02T11:20:05.112+02:00</updated>
    <cac-place-ext:ContractFolderStatus>
      <cbc:ContractFolderID>PA 41/2026</cbc:ContractFolderID>
      <cbc-place-ext:ContractFolderStatusCode languageID="es">PUB</cbc-place-ext:ContractFolderStatusCode>
      <cac-place-ext:LocatedContractingParty>
        <cac:Party>
          <cac:PartyName><cbc:Name>Servicio Madrileño de Salud</cbc:Name></cac:PartyName>
          <cac:PostalAddress><cac:Country><cbc:IdentificationCode listURI="http://contrataciondelestado.es/codice/cl/2.04/CountryIdentificationCode-2.04.gc">ES</cbc:IdentificationCode></cac:Country></cac:PostalAddress>
        </cac:Party>
      </cac-place-ext:LocatedContractingParty>
      <cac:ProcurementProject>
        <cbc:Name>Suministro e implantación de un sistema de historia clínica electrónica</cbc:Name>
        <cac:BudgetAmount>
          <cbc:EstimatedOverallContractAmount currencyID="EUR">1250000</cbc:EstimatedOverallContractAmount>
          <cbc:TotalAmount currencyID="EUR">1512500</cbc:TotalAmount>
          <cbc:TaxExclusiveAmount currencyID="EUR">1250000</cbc:TaxExclusiveAmount>
        </cac:BudgetAmount>
        <cac:RequiredCommodityClassification><cbc:ItemClassificationCode listURI="http://contrataciondelestado.es/codice/cl/1.04/CPV2007-1.04.gc">48814000</cbc:ItemClassificationCode></cac:RequiredCommodityClassification>
        <cac:RequiredCommodityClassification><cbc:ItemClassificationCode listURI="http://contrataciondelestado.es/codice/cl/1.04/CPV2007-1.04.gc">72260000</cbc:ItemClassificationCode></cac:RequiredCommodityClassification>
      </cac:ProcurementProject>
      <cac:TenderingProcess>
        <cac:TenderSubmissionDeadlinePeriod>
          <cbc:EndDate>2026-10-05</cbc:EndDate>
          <cbc:EndTime>14:00:00</cbc:EndTime>
        </cac:TenderSubmissionDeadlinePeriod>
      </cac:TenderingProcess>
    </cac-place-ext:ContractFolderStatus>
  </entry>
  <entry>
    <id>https://contrataciondelestado.es/sindicacion/licitacionesPerfilContratante/16301877</id>
    <link rel="alternate" href="https://contrataciondelestado.es/wps/poc?uri=deeplink:detalle_licitacion&amp;idEvl=XyZ"/>
    <title type="html">Mantenimiento de equipos de &lt;i&gt;electromedicina&lt;/i&gt;</title>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>Lote 1: monitores.</p><p>Lote 2: bombas de infusión.</p></div></content>
    <author><name>Hospital Universitario de Getafe</name></author>
    <category term="50421000" scheme="CPV"/>
    <published>2026-08-28T09:00:00Z</published>
    <updated>2026-08-31T16:02:44+02:00</updated>
  </entry>
</feed>
"#;

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn fetcher() -> HttpFetcher {
    HttpFetcher::new(HttpSettings::default()).unwrap()
}

fn adapter(server: &LoopbackServer, path: &str) -> RssAdapter {
    RssAdapter::new(RssSettings {
        url: format!("{}{path}", server.base_url()),
        ..RssSettings::default()
    })
}

fn spec(adapter: RssAdapter) -> FeedSpec {
    FeedSpec {
        name: "Kommune".into(),
        adapter: Arc::new(adapter),
        interval: Duration::from_secs(900),
        lookback: Duration::from_secs(86_400),
        max_pages: 5,
        state: Default::default(),
    }
}

async fn serve(path: &'static str, content_type: &str, body: &str) -> LoopbackServer {
    let canned = CannedResponse::new(200, body).with_header("content-type", content_type);
    LoopbackServer::start(vec![Route::new("GET", path, move |_| canned.clone())])
        .await
        .unwrap()
}

fn find<'a>(notices: &'a [Notice], id: &str) -> &'a Notice {
    notices.iter().find(|n| n.id.as_str() == id).unwrap_or_else(|| {
        panic!(
            "{id} missing from {:?}",
            notices.iter().map(|n| &n.id).collect::<Vec<_>>()
        )
    })
}

#[tokio::test]
async fn municipal_rss_becomes_notices() {
    let server = serve("/rss/anskaffelser", "application/rss+xml; charset=utf-8", MUNICIPAL_RSS).await;
    let rss = adapter(&server, "/rss/anskaffelser");
    let notices = fetch_feed(&fetcher(), &spec(rss), ts("2026-01-01T00:00:00Z"))
        .await
        .unwrap();
    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert!(requests[0].header("accept").unwrap().contains("application/rss+xml"));
    // The 2025 item is older than `since`; the undated one is kept.
    assert_eq!(notices.len(), 3, "{notices:#?}");

    let first = find(&notices, "rss:BK-2026-0412");
    assert_eq!(first.title, "Velferdsteknologi – digitalt tilsyn i sykehjem");
    assert_eq!(
        first.description,
        "Bergen kommune inviterer til åpen anbudskonkurranse om digitalt tilsyn. Frist: 1. oktober 2026"
    );
    assert_eq!(first.url, "https://www.bergen.kommune.no/anskaffelser/2026-0412");
    assert_eq!(first.cpv, ["33196200", "48180000"]);
    assert_eq!(first.buyer, "Bergen kommune, Etat for sykehjem");
    assert_eq!(first.published, Some(ts("2026-09-01T08:00:00Z")));
    assert_eq!(first.source, "rss");

    // No guid: the link names it.
    let epj = find(&notices, "rss:https://www.bergen.kommune.no/anskaffelser/2026-0398");
    assert_eq!(epj.title, "Elektronisk pasientjournal (EPJ) – markedsdialog");
    assert_eq!(
        epj.description,
        "Markedsdialog før konkurranse om EPJ for helsestasjoner."
    );
    assert_eq!(epj.published, Some(ts("2026-08-24T08:30:00Z")));
    assert!(epj.cpv.is_empty());

    // Blank title falls back; the escape sequence in the guid is gone.
    let untitled = find(&notices, "rss:BK-2026-0420");
    assert_eq!(untitled.title, "RSS item BK-2026-0420");
    assert_eq!(untitled.published, None);
}

#[tokio::test]
async fn placsp_atom_becomes_notices() {
    let server = serve("/sindicacion/licitaciones.atom", "application/atom+xml", PLACSP_ATOM).await;
    let atom = RssAdapter::new(RssSettings {
        url: format!("{}/sindicacion/licitaciones.atom", server.base_url()),
        source: "placsp".into(),
    });
    let notices = fetch_feed(&fetcher(), &spec(atom), ts("2026-08-30T00:00:00Z"))
        .await
        .unwrap();
    // The second entry was published before `since` but updated after it: it counts as new.
    assert_eq!(notices.len(), 2);

    let hce = find(
        &notices,
        "placsp:https://contrataciondelestado.es/sindicacion/licitacionesPerfilContratante/16489321",
    );
    assert_eq!(hce.source, "placsp");
    assert_eq!(
        hce.title,
        "Suministro e implantación de un sistema de historia clínica electrónica"
    );
    assert!(
        hce.description
            .starts_with("Id licitación: PA 41/2026; Órgano de Contratación")
    );
    assert_eq!(
        hce.url,
        "https://contrataciondelestado.es/wps/poc?uri=deeplink:detalle_licitacion&idEvl=AbC%2BdEf"
    );
    assert_eq!(hce.buyer, "Servicio Madrileño de Salud");
    assert_eq!(hce.country.as_deref(), Some("ES"));
    assert_eq!(hce.cpv, ["48814000", "72260000"]);
    assert_eq!(hce.published, Some(ts("2026-09-02T09:20:05.112Z")));
    assert_eq!(hce.deadline, Some(ts("2026-10-05T14:00:00Z")));
    assert_eq!(hce.value, Some(1_250_000.0));
    assert_eq!(hce.currency.as_deref(), Some("EUR"));

    let getafe = find(
        &notices,
        "placsp:https://contrataciondelestado.es/sindicacion/licitacionesPerfilContratante/16301877",
    );
    assert_eq!(getafe.title, "Mantenimiento de equipos de electromedicina");
    assert_eq!(getafe.description, "Lote 1: monitores. Lote 2: bombas de infusión.");
    assert_eq!(getafe.buyer, "Hospital Universitario de Getafe");
    assert_eq!(getafe.cpv, ["50421000"]);
    assert_eq!(getafe.published, Some(ts("2026-08-28T09:00:00Z")));
    assert_eq!(getafe.deadline, None);
}

#[tokio::test]
async fn demo_route_serves_recent_items_then_304() {
    let server = LoopbackServer::start(rss_demo_routes(RSS_DEMO_PATH)).await.unwrap();
    let http = fetcher();
    let feed = spec(adapter(&server, RSS_DEMO_PATH));
    let week_ago = Timestamp::now()
        .checked_sub(jiff::SignedDuration::from_hours(7 * 24))
        .unwrap();
    // Dates are moved to the last days, so all four items are inside a week's window.
    let first = fetch_poll(&http, &feed, &PollPlan::from(week_ago)).await.unwrap();
    assert_eq!(first.notices.len(), 4);
    // The validators the first poll brought back, as the poller keeps them once it is saved.
    let plan = PollPlan {
        validators: first.validators,
        ..PollPlan::from(week_ago)
    };
    assert!(
        fetch_poll(&http, &feed, &plan).await.unwrap().notices.is_empty(),
        "304 the second time"
    );
    assert_eq!(
        server.requests()[1].header("if-none-match"),
        Some("\"bergen-rss-demo-1\"")
    );
}

#[tokio::test]
async fn parse_without_window_keeps_everything() {
    let rss = RssAdapter::new(RssSettings::default());
    assert_eq!(rss.parse(MUNICIPAL_RSS.as_bytes()).unwrap().notices.len(), 4);
    assert!(rss.readiness().is_err(), "no URL configured");
}

#[tokio::test]
async fn malformed_xml_is_a_parse_error_with_its_position() {
    let broken = MUNICIPAL_RSS.replace("</guid>\n      <description>&lt;p", "</gui>\n      <description>&lt;p");
    let server = serve("/rss", "application/rss+xml", &broken).await;
    let err = fetch_feed(&fetcher(), &spec(adapter(&server, "/rss")), ts("2026-01-01T00:00:00Z"))
        .await
        .unwrap_err();
    match &err {
        FeedError::Parse(ParseError::Xml { line, column, .. }) => {
            assert_eq!((*line, *column), (12, 45), "{err}");
        }
        other => panic!("expected an XML error, got {other:?}"),
    }
    assert!(
        err.to_string().starts_with("invalid XML at line 12, column 45:"),
        "{err}"
    );

    let truncated = &MUNICIPAL_RSS[..MUNICIPAL_RSS.find("<pubDate>Mon").unwrap() + 7];
    let server = serve("/rss", "application/rss+xml", truncated).await;
    let err = fetch_feed(&fetcher(), &spec(adapter(&server, "/rss")), ts("2026-01-01T00:00:00Z"))
        .await
        .unwrap_err();
    assert!(matches!(err, FeedError::Parse(ParseError::Xml { .. })), "{err}");

    let html = "<!DOCTYPE html><html><head><title>Vedlikehold</title></head></html>";
    let server = serve("/rss", "text/html", html).await;
    let err = fetch_feed(&fetcher(), &spec(adapter(&server, "/rss")), ts("2026-01-01T00:00:00Z"))
        .await
        .unwrap_err();
    assert!(matches!(err, FeedError::Parse(ParseError::Html { .. })), "{err}");
}
