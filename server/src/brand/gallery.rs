//! Brand photos on the public pages: `<img>` with a `srcset`, so a phone loads the
//! 480-pixel variant and a tablet a larger one; the size is in the markup, so nothing
//! jumps when a photo arrives; only the cover loads before it is scrolled to.

use app::db::{rows, Db};
use app::domain::photos;
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::json;

#[derive(Clone, Debug, Deserialize)]
pub(super) struct Shown {
    pub hash: String,
    pub width: u32,
    pub height: u32,
    pub widths: Vec<u32>,
}

impl Shown {
    /// The variant a shared link's card shows: large enough for a card, not the largest.
    pub fn card_url(&self) -> String {
        let width = self.widths.iter().copied().filter(|&w| w <= 960).max().unwrap_or(self.widths[0]);
        photos::url(&self.hash, width)
    }

    fn smallest(&self) -> String {
        photos::url(&self.hash, self.widths.iter().copied().min().unwrap_or(self.width))
    }
}

/// The photos named by `hashes` that are kept, in the order given.
pub(super) async fn shown(db: &Db, hashes: &[String]) -> Result<Vec<Shown>, surrealdb::Error> {
    if hashes.is_empty() {
        return Ok(vec![]);
    }
    let found: Vec<Shown> = rows(
        db,
        // Read by key, not by scanning the table: a record that does not exist is skipped.
        "SELECT meta::id(id) AS hash, width, height, widths FROM $hashes.map(|$h| type::record('photo', $h))",
        json!({ "hashes": hashes }),
        0,
    )
    .await?;
    Ok(hashes.iter().filter_map(|h| found.iter().find(|p| &p.hash == h).cloned()).collect())
}

/// The first photo, across the page's column: loaded at once, it is what people see first.
pub(super) fn cover(photo: &Shown, alt: &str) -> Markup {
    html! {
        img.cover src=(photo.smallest()) srcset=(photos::srcset(&photo.hash, &photo.widths)) sizes="(max-width: 46rem) 100vw, 46rem"
            width=(photo.width) height=(photo.height) alt=(alt) fetchpriority="high" decoding="async";
    }
}

/// The other photos, two to a row on a phone, loaded as they come into view.
pub(super) fn gallery(photos: &[Shown], alt: &str) -> Markup {
    html! {
        div.gallery {
            @for (i, photo) in photos.iter().enumerate() {
                img src=(photo.smallest()) srcset=(photos::srcset(&photo.hash, &photo.widths)) sizes="(max-width: 46rem) 50vw, 23rem"
                    width=(photo.width) height=(photo.height) alt={ (alt) " " (i + 2) } loading="lazy" decoding="async";
            }
        }
    }
}

/// A brand's cover as a small picture on the front page's card.
pub(super) fn thumbnail(photo: &Shown, alt: &str) -> Markup {
    html! {
        img.thumb src=(photo.smallest()) srcset=(photos::srcset(&photo.hash, &photo.widths)) sizes="(max-width: 30rem) 50vw, 15rem"
            width=(photo.width) height=(photo.height) alt=(alt) loading="lazy" decoding="async";
    }
}
