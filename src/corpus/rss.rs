//! RSS 2.0 feeds in the shape of a municipal procurement feed
//! (`src/demo/fixtures/rss/bergen-kommune-anskaffelser.rss.xml`): one `<item>` per notice with
//! title, link, guid, HTML description, CPV categories, buyer (`dc:creator`) and `pubDate`.

use std::fmt::Write as _;

use super::{SynthNotice, xml_escape};

/// A whole feed (feed number `number`, for its title) holding `notices`.
pub fn feed(notices: &[SynthNotice], number: u64) -> Vec<u8> {
    let mut out = String::with_capacity(400 + notices.len() * 1200);
    out.push_str(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
         <rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" xmlns:atom=\"http://www.w3.org/2005/Atom\">\n  <channel>\n",
    );
    let _ = writeln!(out, "    <title>Kunngjøringer {number}</title>");
    out.push_str("    <link>https://www.example.kommune.no/anskaffelser</link>\n");
    out.push_str("    <description>Pågående konkurranser</description>\n    <language>no</language>\n");
    for n in notices {
        item(&mut out, n);
    }
    out.push_str("  </channel>\n</rss>\n");
    out.into_bytes()
}

fn item(out: &mut String, n: &SynthNotice) {
    let (serial, year) = n.serial();
    let guid = format!("AN-{year}-{serial:06}");
    // The description is HTML, escaped once more for XML, as real feeds send it.
    let html = format!("<p>{}</p>", xml_escape(&n.description));
    // Writing to a String cannot fail.
    let _ = write!(
        out,
        "    <item>\n      <title>{}</title>\n      <link>https://www.example.kommune.no/anskaffelser/{guid}</link>\n      \
         <guid isPermaLink=\"false\">{guid}</guid>\n      <description>{}</description>\n",
        xml_escape(&n.title),
        xml_escape(&html),
    );
    for cpv in &n.cpv {
        let _ = writeln!(out, "      <category domain=\"cpv\">{cpv}</category>");
    }
    let _ = write!(
        out,
        "      <dc:creator>{}</dc:creator>\n      <pubDate>{}</pubDate>\n    </item>\n",
        xml_escape(&n.buyer),
        n.published.strftime("%a, %d %b %Y %H:%M:%S +0000"),
    );
}
