//! The brand page's photos on the staff side: pick a file, check it on the device, send
//! it by its content hash (`PUT /api/photos/{sha256}`), and only then refer to it in an
//! operation, so an operation never names a photo the server lacks. The server checks
//! everything again (`server/src/photos.rs`); this only saves a doomed upload.

use crate::domain::ops::{OpKind, Operation};
use crate::domain::photos;
#[cfg(feature = "hydrate")]
use crate::domain::photos::PhotoProblem;
#[cfg(feature = "hydrate")]
use crate::i18n::{photo_problem, Locale};
use crate::i18n::{t, use_locale, Msg, Tr};
use crate::sync::{stamp, submit};
use crate::ui::StatusLine;
use leptos::prelude::*;
use serde_json::json;
use std::collections::BTreeMap;

/// Why an upload did not happen, as the person is told.
#[cfg(feature = "hydrate")]
#[derive(Clone, Debug)]
pub enum UploadError {
    Photo(PhotoProblem),
    Offline,
    Refused(String),
}

#[cfg(feature = "hydrate")]
impl UploadError {
    fn message(&self, locale: Locale) -> String {
        match self {
            UploadError::Photo(problem) => photo_problem(locale, *problem),
            UploadError::Offline => t(locale, Msg::PhotoNeedsNetwork).into(),
            UploadError::Refused(text) => text.clone(),
        }
    }
}

/// Reads the file, names it by its SHA-256 and uploads it; without a network, keeps it on
/// the device to be uploaded before the operation naming it is sent. Returns its name and
/// whether it is waiting on the device.
#[cfg(feature = "hydrate")]
pub async fn upload(file: &web_sys::File) -> Result<(String, bool), UploadError> {
    use crate::sync::engine::{put_photo, PhotoSent};
    use sha2::{Digest, Sha256};
    use wasm_bindgen_futures::JsFuture;
    photos::check_size(file.size() as usize).map_err(UploadError::Photo)?;
    let buffer = JsFuture::from(file.array_buffer()).await.map_err(|_| UploadError::Photo(PhotoProblem::Damaged))?;
    let bytes = js_sys::Uint8Array::new(&buffer);
    let copy = bytes.to_vec();
    // Told by the bytes, as the server will: a renamed PDF is caught before it is sent.
    if photos::sniff(&copy).is_none() {
        return Err(UploadError::Photo(PhotoProblem::NotImage));
    }
    let hash: String = Sha256::digest(&copy).iter().map(|b| format!("{b:02x}")).collect();
    match put_photo(&hash, file).await {
        PhotoSent::Kept => Ok((hash, false)),
        PhotoSent::Refused(Some(problem), _) => Err(UploadError::Photo(problem)),
        PhotoSent::Refused(None, text) => Err(UploadError::Refused(text)),
        PhotoSent::Offline => match crate::sync::store::keep_photo(&hash, &bytes).await {
            Ok(()) => Ok((hash, true)),
            Err(_) => Err(UploadError::Offline),
        },
    }
}

/// The brand page's photos: add, make one the cover, remove. Each change is one
/// operation with the whole list, the first being the cover.
#[component]
pub fn BrandPhotos(branch: String, initial: Vec<String>) -> impl IntoView {
    let locale = use_locale();
    let list = RwSignal::new(initial);
    // Photos waiting on this device are shown from the file itself.
    let local = RwSignal::new(std::collections::HashMap::<String, String>::new());
    let status = RwSignal::new(None::<Result<String, String>>);
    let busy = RwSignal::new(false);
    // Removing takes two taps, as on the roster: a tablet is tapped by accident.
    let removing = RwSignal::new(None::<String>);
    let branch = StoredValue::new(branch);
    let save = move |next: Vec<String>| {
        let locale = locale.get_untracked();
        list.set(next.clone());
        let mut fields = BTreeMap::new();
        fields.insert("photos".to_string(), json!(next));
        let op = Operation::new("brand", &branch.get_value(), OpKind::Set { fields }, stamp());
        leptos::task::spawn_local(async move {
            status.set(Some(submit(op, locale).await.map(|done| done.message(locale))));
        });
    };
    #[allow(unused_variables)]
    let picked = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        {
            use wasm_bindgen::JsCast;
            let locale = locale.get_untracked();
            let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
            let Some(file) = input.files().and_then(|files| files.get(0)) else { return };
            input.set_value("");
            if list.with_untracked(Vec::len) >= photos::MAX_PER_BRAND {
                status.set(Some(Err(photo_problem(locale, PhotoProblem::TooMany))));
                return;
            }
            busy.set(true);
            status.set(Some(Ok(t(locale, Msg::PhotoUploading).into())));
            leptos::task::spawn_local(async move {
                let result = upload(&file).await;
                busy.set(false);
                match result {
                    Ok((hash, waiting)) => {
                        if waiting {
                            if let Ok(url) = web_sys::Url::create_object_url_with_blob(&file) {
                                local.update(|l| {
                                    l.insert(hash.clone(), url);
                                });
                            }
                        }
                        let mut next = list.get_untracked();
                        if !next.contains(&hash) {
                            next.push(hash);
                        }
                        save(next);
                    }
                    Err(error) => status.set(Some(Err(error.message(locale)))),
                }
            });
        }
    };
    view! {
        <fieldset class="brand-photos">
            <legend><Tr m=Msg::BrandPhotos/></legend>
            <ul class="photo-list">
                <For each=move || list.get().into_iter().enumerate() key=|(i, hash)| (*i, hash.clone()) let:item>
                    {
                        let (i, hash) = item;
                        let cover_hash = hash.clone();
                        let remove_hash = hash.clone();
                        let asked_hash = hash.clone();
                        view! {
                            <li>
                                <img src={ let hash = hash.clone(); move || local.with(|l| l.get(&hash).cloned()).unwrap_or_else(|| photos::url(&hash, photos::WIDTHS[0])) } width="160" height="107" alt=move || format!("{} {}", t(locale.get(), Msg::BrandPhotos), i + 1)/>
                                {if i == 0 {
                                    view! { <span class="badge"><Tr m=Msg::PhotoCover/></span> }.into_any()
                                } else {
                                    view! {
                                        <button type="button" on:click=move |_| {
                                            let mut next = list.get_untracked();
                                            next.retain(|h| h != &cover_hash);
                                            next.insert(0, cover_hash.clone());
                                            save(next);
                                        }><Tr m=Msg::PhotoMakeCover/></button>
                                    }.into_any()
                                }}
                                <button type="button" class="danger" on:click={
                                    move |_| {
                                        if removing.get_untracked().as_ref() != Some(&remove_hash) {
                                            removing.set(Some(remove_hash.clone()));
                                            return;
                                        }
                                        removing.set(None);
                                        let mut next = list.get_untracked();
                                        next.retain(|h| h != &remove_hash);
                                        save(next);
                                    }
                                }>{move || t(locale.get(), if removing.with(|r| r.as_ref() == Some(&asked_hash)) { Msg::PhotoRemoveConfirm } else { Msg::PhotoRemove })}</button>
                            </li>
                        }
                    }
                </For>
            </ul>
            <label class="upload">
                {move || t(locale.get(), Msg::PhotoAdd)}
                <input type="file" accept="image/jpeg,image/png,image/webp" prop:disabled=move || busy.get() on:change=picked/>
            </label>
            <p class="hint"><Tr m=Msg::PhotoHint/></p>
            <StatusLine status/>
        </fieldset>
    }
}
