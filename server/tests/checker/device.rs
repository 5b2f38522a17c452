//! A simulated tablet: the browser's queue and merge code (`domain::outbox`,
//! `domain::replica`) over a "disk" that survives a crash and a memory that does not,
//! talking real HTTP to the server and misbehaving on purpose.

use super::history::History;
use app::domain::hlc::{Clock, Stamp};
use app::domain::ops::{OpKind, Operation, SyncRequest, SyncResponse};
use app::domain::outbox::{self, status_outcome, PushError, QueueStore, Queued, Settlement, Transport};
use app::domain::replica::{apply_own, base_for, rebase, record_id, PullRequest, PullResponse, RecordState};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What a tablet keeps in IndexedDB: it survives the app being killed.
#[derive(Clone, Debug, Default)]
pub struct Disk {
    pub queue: Vec<Queued>,
    pub counter: Option<u64>,
    /// The server's copy of records, as last pulled or laid on by accepted operations.
    pub records: BTreeMap<String, RecordState>,
    pub cursor: i64,
    pub last_stamp: Option<Stamp>,
}

/// What a tablet holds only while the app runs.
struct Memory {
    clock: Clock,
    http: reqwest::Client,
}

pub struct Device {
    pub name: String,
    pub account: &'static str,
    pub disk: Disk,
    memory: Option<Memory>,
    boots: u32,
    pub offline: bool,
    /// Share of answers the tablet never sees (the request timed out after the server applied).
    pub lose_answers: f64,
    pub servers: Vec<String>,
    pub history: Arc<Mutex<History>>,
}

impl Device {
    pub fn new(name: &str, account: &'static str, servers: Vec<String>, history: Arc<Mutex<History>>) -> Device {
        Device {
            name: name.into(),
            account,
            disk: Disk { cursor: -1, ..Disk::default() },
            memory: None,
            boots: 0,
            offline: false,
            lose_answers: 0.0,
            servers,
            history,
        }
    }

    /// The app is killed: everything but the disk is gone.
    pub fn crash(&mut self) {
        self.memory = None;
    }

    /// The app starts (again): a new tab node, its clock after the last stamp it made.
    async fn memory(&mut self) -> &mut Memory {
        if self.memory.is_none() {
            self.boots += 1;
            let mut clock = Clock::new(format!("{}.{}", self.name, self.boots));
            let last = self.disk.queue.iter().map(|q| q.op.clock.clone()).chain(self.disk.last_stamp.clone()).max();
            if let Some(last) = last {
                clock.adopt(&last, now_ms());
            }
            // Long enough for a machine the checker shares with a build (an hour's run saw a
            // final pull pass 5 s there); a server that hangs still fails the seed.
            let http = reqwest::Client::builder().cookie_store(true).timeout(Duration::from_secs(20)).build().expect("http client");
            self.memory = Some(Memory { clock, http });
        }
        self.memory.as_mut().expect("memory")
    }

    fn server(&self, rng: &mut StdRng) -> String {
        self.servers[rng.gen_range(0..self.servers.len())].clone()
    }

    async fn sign_in(&mut self, rng: &mut StdRng) -> bool {
        let base = self.server(rng);
        let account = self.account;
        let http = self.memory().await.http.clone();
        let form = [("username", account), ("password", super::common::DEMO_PASSWORD)];
        match http.post(format!("{base}/api/login")).form(&form).send().await {
            // A server down (killed on purpose) or busy: the tablet signs in again later.
            Ok(response) => response.status().is_success() || response.status().is_redirection(),
            Err(_) => false,
        }
    }

    /// The record as the person sees it: the server's copy with their queued operations on it.
    pub fn local(&self, table: &str, key: &str) -> Option<RecordState> {
        let pending = self.disk.queue.iter().filter(|q| q.account == self.account && q.op.table == table && q.op.key == key).map(|q| &q.op);
        rebase(self.disk.records.get(&record_id(table, key)).cloned(), pending)
    }

    /// Makes an operation as the browser does: stamped, based on what the person sees,
    /// numbered, queued.
    pub async fn make(&mut self, table: &str, key: &str, kind: OpKind) -> Operation {
        let stamp = self.memory().await.clock.tick(now_ms());
        self.disk.last_stamp = Some(stamp.clone());
        let mut op = Operation::new(table, key, kind, stamp);
        if let OpKind::Set { fields } = &op.kind {
            op.base = base_for(self.local(table, key).as_ref(), fields);
        }
        let n = outbox::next_number(self.disk.counter, &self.disk.queue, self.account);
        op.n = Some(n);
        self.disk.counter = Some(n);
        self.disk.queue.push(Queued { account: self.account.into(), op: op.clone() });
        self.disk.queue.sort_by_key(|q| outbox::queue_key(&q.op));
        self.history.lock().unwrap().made(&self.name, &op);
        op
    }

    /// `outbox::flush`, as the browser runs it. Returns how it ended.
    pub async fn flush(&mut self, rng: &mut StdRng) -> outbox::Flushed {
        if self.offline {
            return outbox::Flushed { stopped: Some(PushError::Network), ..Default::default() };
        }
        let mut flushed = self.flush_once(rng).await;
        if flushed.stopped == Some(PushError::Unauthenticated) && self.sign_in(rng).await {
            flushed = self.flush_once(rng).await;
        }
        flushed
    }

    async fn flush_once(&mut self, rng: &mut StdRng) -> outbox::Flushed {
        let base = self.server(rng);
        let http = self.memory().await.http.clone();
        let mut transport = Http {
            base,
            http,
            client: self.name.clone(),
            history: self.history.clone(),
            lose: self.lose_answers,
            rng: StdRng::seed_from_u64(rng.gen()),
            clock: None,
        };
        let mut store = DiskQueue { disk: &mut self.disk };
        let flushed = outbox::flush(&mut store, &mut transport, self.account, outbox::BATCH).await;
        if let Some(stamp) = transport.clock {
            self.memory().await.clock.adopt(&stamp, now_ms());
        }
        flushed
    }

    /// Sends operations as they are, outside the queue (a duplicate, or one out of
    /// order), and records the answers.
    pub async fn push_raw(&mut self, ops: Vec<Operation>, rng: &mut StdRng) {
        if self.offline {
            return;
        }
        let base = self.server(rng);
        let http = self.memory().await.http.clone();
        let mut transport =
            Http { base, http, client: self.name.clone(), history: self.history.clone(), lose: 0.0, rng: StdRng::seed_from_u64(rng.gen()), clock: None };
        let _ = transport.push(ops).await;
    }

    /// Pulls what changed since the cursor, as the browser does.
    pub async fn pull(&mut self, rng: &mut StdRng) -> bool {
        if self.offline {
            return false;
        }
        let base = self.server(rng);
        let http = self.memory().await.http.clone();
        let request = PullRequest { client: self.name.clone(), since: Some(self.disk.cursor) };
        let Ok(response) = http.post(format!("{base}/api/pull")).json(&request).send().await else { return false };
        if response.status() == reqwest::StatusCode::UNAUTHORIZED {
            self.sign_in(rng).await;
            return false;
        }
        let Ok(answer) = response.json::<PullResponse>().await else { return false };
        let latest = answer.records.iter().flat_map(|r| r.clocks.values()).filter_map(|c| c.parse::<Stamp>().ok()).max();
        if let Some(latest) = latest {
            self.memory().await.clock.adopt(&latest, now_ms());
        }
        for record in answer.records {
            self.disk.records.insert(record.id(), record);
        }
        self.disk.cursor = answer.cursor;
        true
    }

    /// Everything from the start, as a new tablet would see it.
    pub async fn pull_everything(&mut self, rng: &mut StdRng) -> Option<BTreeMap<String, RecordState>> {
        let base = self.server(rng);
        let http = self.memory().await.http.clone();
        let request = PullRequest { client: format!("{}-fresh", self.name), since: Some(-1) };
        let answer: PullResponse = http.post(format!("{base}/api/pull")).json(&request).send().await.ok()?.json().await.ok()?;
        Some(answer.records.into_iter().map(|r| (r.id(), r)).collect())
    }

    /// Uploads a brand photo of its own making (a colour of the seed's choosing) over
    /// `PUT /api/photos/{hash}`; an acknowledged upload is kept in the history, which the
    /// verification checks for on disk after the kills.
    pub async fn upload_photo(&mut self, rng: &mut StdRng) {
        if self.offline {
            return;
        }
        let base = self.server(rng);
        let http = self.memory().await.http.clone();
        let (width, colour) = (rng.gen_range(200..=260), image::Rgb([rng.gen(), rng.gen(), rng.gen()]));
        let picture = image::RgbImage::from_pixel(width, 200, colour);
        let mut bytes = Vec::new();
        picture.write_to(&mut std::io::Cursor::new(&mut bytes), image::ImageFormat::Png).expect("encode a photo");
        let hash = server::photos::hash_of(&bytes);
        let Ok(response) = http.put(format!("{base}/api/photos/{hash}")).body(bytes).send().await else { return };
        if response.status().is_success() {
            self.history.lock().unwrap().uploaded.push(hash);
        }
    }

    pub async fn start(&mut self, rng: &mut StdRng) -> bool {
        self.sign_in(rng).await
    }
}

struct DiskQueue<'a> {
    disk: &'a mut Disk,
}

impl QueueStore for DiskQueue<'_> {
    async fn queue(&mut self) -> Result<Vec<Queued>, String> {
        Ok(self.disk.queue.clone())
    }

    async fn settled(&mut self, settlement: &Settlement) -> Result<(), String> {
        for (entry, _) in &settlement.accepted {
            let id = record_id(&entry.op.table, &entry.op.key);
            if let Some(next) = apply_own(self.disk.records.get(&id).cloned(), &entry.op) {
                self.disk.records.insert(id, next);
            }
        }
        self.disk.queue.retain(|q| !settlement.done.contains(&outbox::queue_key(&q.op)));
        Ok(())
    }

    async fn replace(&mut self, entries: Vec<(String, Queued)>) -> Result<(), String> {
        for (old, entry) in entries {
            self.disk.queue.retain(|q| outbox::queue_key(&q.op) != old);
            self.disk.counter = self.disk.counter.max(entry.op.n);
            self.disk.queue.push(entry);
        }
        self.disk.queue.sort_by_key(|q| outbox::queue_key(&q.op));
        Ok(())
    }
}

/// `POST /api/sync` over real HTTP; an answer may be lost on purpose after the server
/// sent it (the tablet then cannot know whether its operations were applied).
struct Http {
    base: String,
    http: reqwest::Client,
    client: String,
    history: Arc<Mutex<History>>,
    lose: f64,
    rng: StdRng,
    clock: Option<Stamp>,
}

impl Transport for Http {
    async fn push(&mut self, ops: Vec<Operation>) -> Result<SyncResponse, PushError> {
        let request = SyncRequest { client: self.client.clone(), ops };
        let response = self.http.post(format!("{}/api/sync", self.base)).json(&request).send().await.map_err(|_| PushError::Network)?;
        let retry_after = response.headers().get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.trim().parse().ok());
        status_outcome(response.status().as_u16(), retry_after)?;
        let answer: SyncResponse = response.json().await.map_err(|_| PushError::Network)?;
        if self.rng.gen_bool(self.lose) {
            return Err(PushError::Network);
        }
        self.history.lock().unwrap().answered(&self.client, &answer.results);
        self.clock = Some(answer.clock.clone());
        Ok(answer)
    }
}

pub fn now_ms() -> u64 {
    chrono::Utc::now().timestamp_millis().max(0) as u64
}
