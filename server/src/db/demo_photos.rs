//! Generated photos for the demo brand pages: a street scene per branch (sky, sun,
//! housing blocks with lit windows, trees, a red banner), in each branch's own colours,
//! and a park scene for a few, drawn at a tablet's width and resized and encoded like an
//! upload (`photos::variants`).
#![allow(clippy::expect_used, reason = "demo data is drawn from constants: a failure is a bug in them, seen at the first start")]

use crate::photos::{hash_of, variants, Processed};
use image::RgbImage;
use std::sync::OnceLock;

const WIDTH: u32 = 960;
const HEIGHT: u32 = 640;

/// Skies (top, horizon) per branch, so the pages do not all look alike.
const SKIES: &[([u8; 3], [u8; 3])] = &[
    ([70, 130, 200], [200, 225, 240]),
    ([240, 140, 90], [250, 215, 160]),
    ([90, 160, 210], [225, 235, 235]),
    ([120, 110, 180], [240, 190, 170]),
    ([60, 150, 190], [210, 240, 235]),
];

/// A small deterministic generator: the same demo every time.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn range(&mut self, low: u32, high: u32) -> u32 {
        low + (self.next() % u64::from(high - low).max(1)) as u32
    }
}

fn mix(a: [u8; 3], b: [u8; 3], t: f32) -> [u8; 3] {
    let t = t.clamp(0.0, 1.0);
    [0, 1, 2].map(|i| (f32::from(a[i]) * (1.0 - t) + f32::from(b[i]) * t) as u8)
}

/// An RGB canvas drawn a row span at a time: whole-slice copies stay fast in an
/// unoptimised build, where a loop per pixel would take seconds.
struct Canvas(Vec<u8>);

impl Canvas {
    fn span(&mut self, y: u32, x0: u32, x1: u32, colour: [u8; 3]) {
        let (x0, x1) = (x0.min(WIDTH), x1.min(WIDTH));
        if y >= HEIGHT || x0 >= x1 {
            return;
        }
        let at = ((y * WIDTH + x0) * 3) as usize;
        self.0[at..at + (x1 - x0) as usize * 3].copy_from_slice(&colour.repeat((x1 - x0) as usize));
    }

    fn rect(&mut self, x: u32, y: u32, w: u32, h: u32, colour: [u8; 3]) {
        for row in y..(y + h).min(HEIGHT) {
            self.span(row, x, x + w, colour);
        }
    }

    fn disc(&mut self, cx: i32, cy: i32, r: i32, colour: [u8; 3]) {
        for dy in -r..=r {
            let half = f64::from(r * r - dy * dy).sqrt() as i32;
            if cy + dy >= 0 {
                self.span((cy + dy) as u32, (cx - half).max(0) as u32, (cx + half).max(0) as u32, colour);
            }
        }
    }
}

/// A street scene (`park` false) or a park with trees and a path.
pub fn scene(seed: u64, park: bool) -> RgbImage {
    let mut dice = Dice(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let (top, horizon) = SKIES[(seed % SKIES.len() as u64) as usize];
    let mut c = Canvas(vec![0; (WIDTH * HEIGHT * 3) as usize]);
    for y in 0..HEIGHT {
        c.span(y, 0, WIDTH, mix(top, horizon, y as f32 / (HEIGHT as f32 * 0.7)));
    }
    c.disc(dice.range(150, 1050) as i32, dice.range(90, 190) as i32, dice.range(45, 75) as i32, [255, 236, 170]);
    let ground = HEIGHT * 3 / 4;
    if park {
        // Rolling hills, then a path into the distance.
        for x in (0..WIDTH).step_by(4) {
            let hill = (ground as f32 - 60.0 - 40.0 * ((x as f32 / 170.0) + seed as f32).sin()) as u32;
            c.rect(x, hill, 4, ground - hill, [96, 150, 80]);
        }
        c.rect(0, ground, WIDTH, HEIGHT - ground, [110, 170, 90]);
        for y in ground..HEIGHT {
            let half = 20 + (y - ground) * 2 / 3;
            c.span(y, WIDTH / 2 - half, WIDTH / 2 + half, [222, 205, 170]);
        }
    } else {
        // Three rows of housing blocks, the nearest darkest, with lit windows.
        for (row, shade) in [(0u32, 175u8), (1, 140), (2, 105)] {
            let mut x = dice.range(0, 40);
            while x < WIDTH {
                let w = dice.range(90, 190);
                let h = dice.range(160, 360) - row * 50;
                let y = ground - h + row * 30;
                let tint = dice.range(0, 25) as u8;
                c.rect(x, y, w, ground + row * 30 - y, [shade + tint, shade, shade - tint / 2]);
                for wy in (y + 18..ground + row * 30 - 20).step_by(34) {
                    for wx in (x + 14..x + w - 20).step_by(28) {
                        let lit = dice.range(0, 10) < 4;
                        c.rect(wx, wy, 12, 16, if lit { [255, 222, 140] } else { [shade / 2 + 40, shade / 2 + 50, shade / 2 + 70] });
                    }
                }
                x += w + dice.range(6, 30);
            }
        }
        c.rect(0, ground + 60, WIDTH, HEIGHT - ground - 60, [150, 145, 138]);
        // The red banner over the community centre's door.
        let bx = dice.range(200, 800);
        c.rect(bx, ground - 40, 300, 44, [190, 30, 30]);
        c.rect(bx, ground - 6, 300, 4, [240, 200, 60]);
    }
    // Trees in front.
    let mut x = dice.range(10, 80) as i32;
    while x < WIDTH as i32 {
        let base = (ground + 40 + dice.range(0, 40)) as i32;
        c.rect(x as u32 - 5, (base - 40) as u32, 10, 50, [95, 70, 45]);
        c.disc(x, base - 60, dice.range(26, 42) as i32, [50, dice.range(100, 160) as u8, 60]);
        x += dice.range(110, 260) as i32;
    }
    RgbImage::from_raw(WIDTH, HEIGHT, c.0).expect("the canvas is WIDTH × HEIGHT")
}

/// A branch's photos: each with its hash.
type BranchPhotos = Vec<(String, Processed)>;

/// Each branch's photos, processed like an upload: (branch, [(hash, processed)]). Made
/// once per process, since tests load the demo many times.
pub fn demo_photos() -> &'static [(String, Vec<(String, Processed)>)] {
    static MADE: OnceLock<Vec<(String, BranchPhotos)>> = OnceLock::new();
    MADE.get_or_init(|| {
        let brands = super::demo_residents::BRANDS;
        // Drawn on both cores: this is most of the time a demo takes to load.
        let (first, second) = brands.split_at(brands.len() / 2);
        let draw = |part: &[(&str, &str, &str, &str)], offset: usize| -> Vec<(String, Vec<(String, Processed)>)> {
            part.iter()
                .enumerate()
                .map(|(n, (branch, ..))| {
                    let i = (n + offset) as u64;
                    // 文兴社区's commune page has a gallery: two more scenes.
                    let scenes: Vec<(u64, bool)> = if *branch == "wenxing" { vec![(i, false), (i + 20, true), (i + 40, false)] } else { vec![(i, i % 3 == 2)] };
                    let photos = scenes
                        .into_iter()
                        .map(|(seed, park)| {
                            let photo = variants(image::DynamicImage::ImageRgb8(scene(seed, park))).expect("a drawn scene encodes");
                            // Named like an upload, by the hash of its largest form.
                            (hash_of(&photo.variants.last().expect("one variant at least").1), photo)
                        })
                        .collect();
                    (branch.to_string(), photos)
                })
                .collect()
        };
        std::thread::scope(|s| {
            let other = s.spawn(|| draw(second, first.len()));
            let mut all = draw(first, 0);
            all.extend(other.join().expect("drawing photos"));
            all
        })
    })
}
