//! Generated photos for the demo brand pages: a street scene per branch (sky, sun,
//! housing blocks with lit windows, trees, a red banner), in each branch's own colours,
//! and a park scene for a few. They go through the same checks and resizing as an upload.

use crate::photos::{hash_of, process, Processed};
use image::{Rgb, RgbImage};
use std::sync::OnceLock;

const WIDTH: u32 = 1280;
const HEIGHT: u32 = 854;

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

fn mix(a: [u8; 3], b: [u8; 3], t: f32) -> Rgb<u8> {
    Rgb([0, 1, 2].map(|i| (f32::from(a[i]) * (1.0 - t) + f32::from(b[i]) * t) as u8))
}

fn rect(img: &mut RgbImage, x: u32, y: u32, w: u32, h: u32, colour: Rgb<u8>) {
    for yy in y.min(HEIGHT)..(y + h).min(HEIGHT) {
        for xx in x.min(WIDTH)..(x + w).min(WIDTH) {
            img.put_pixel(xx, yy, colour);
        }
    }
}

fn disc(img: &mut RgbImage, cx: i32, cy: i32, r: i32, colour: Rgb<u8>) {
    for y in (cy - r).max(0)..(cy + r).min(HEIGHT as i32) {
        for x in (cx - r).max(0)..(cx + r).min(WIDTH as i32) {
            if (x - cx).pow(2) + (y - cy).pow(2) <= r * r {
                img.put_pixel(x as u32, y as u32, colour);
            }
        }
    }
}

/// A street scene (`park` false) or a park with trees and a path.
pub fn scene(seed: u64, park: bool) -> RgbImage {
    let mut dice = Dice(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let (top, horizon) = SKIES[(seed % SKIES.len() as u64) as usize];
    let mut img = RgbImage::from_fn(WIDTH, HEIGHT, |_, y| mix(top, horizon, y as f32 / (HEIGHT as f32 * 0.7)));
    disc(&mut img, dice.range(150, 1100) as i32, dice.range(90, 200) as i32, dice.range(45, 75) as i32, Rgb([255, 236, 170]));
    let ground = HEIGHT * 3 / 4;
    if park {
        // Rolling hills, then trees along a path.
        for x in 0..WIDTH {
            let hill = (ground as f32 - 60.0 - 40.0 * ((x as f32 / 170.0) + seed as f32).sin()) as u32;
            rect(&mut img, x, hill, 1, HEIGHT - hill, Rgb([96, 150, 80]));
        }
        rect(&mut img, 0, ground, WIDTH, HEIGHT - ground, Rgb([110, 170, 90]));
        for y in ground..HEIGHT {
            let half = 20 + (y - ground) * 2 / 3;
            rect(&mut img, WIDTH / 2 - half, y, half * 2, 1, Rgb([222, 205, 170]));
        }
    } else {
        // Three rows of housing blocks, the nearest darkest, with lit windows.
        for (row, shade) in [(0u32, 175u8), (1, 140), (2, 105)] {
            let mut x = dice.range(0, 40);
            while x < WIDTH {
                let w = dice.range(90, 190);
                let h = dice.range(160, 380) - row * 50;
                let y = ground - h + row * 30;
                let tint = dice.range(0, 25) as u8;
                rect(&mut img, x, y, w, ground + row * 30 - y, Rgb([shade + tint, shade, shade - tint / 2]));
                for wy in (y + 18..ground + row * 30 - 20).step_by(34) {
                    for wx in (x + 14..x + w - 20).step_by(28) {
                        let lit = dice.range(0, 10) < 4;
                        let colour = if lit { Rgb([255, 222, 140]) } else { Rgb([shade / 2 + 40, shade / 2 + 50, shade / 2 + 70]) };
                        rect(&mut img, wx, wy, 12, 16, colour);
                    }
                }
                x += w + dice.range(6, 30);
            }
        }
        rect(&mut img, 0, ground + 60, WIDTH, HEIGHT - ground - 60, Rgb([150, 145, 138]));
        // The red banner over the community centre's door.
        let bx = dice.range(200, 800);
        rect(&mut img, bx, ground - 40, 300, 44, Rgb([190, 30, 30]));
        rect(&mut img, bx, ground - 6, 300, 4, Rgb([240, 200, 60]));
    }
    // Trees in front.
    let mut x = dice.range(0, 80) as i32;
    while x < WIDTH as i32 {
        let base = (ground + 40 + dice.range(0, 40)) as i32;
        rect(&mut img, x as u32 - 5, (base - 40) as u32, 10, 50, Rgb([95, 70, 45]));
        let green = dice.range(100, 160) as u8;
        disc(&mut img, x, base - 60, dice.range(26, 42) as i32, Rgb([50, green, 60]));
        x += dice.range(110, 260) as i32;
    }
    img
}

pub fn jpeg(img: &RgbImage) -> Vec<u8> {
    let mut bytes = Vec::new();
    img.write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 85)).expect("encoding to memory");
    bytes
}

/// Each branch's photos, processed like an upload: (branch, [(hash, processed)]). Made
/// once per process, since tests load the demo many times.
pub fn demo_photos() -> &'static [(String, Vec<(String, Processed)>)] {
    static MADE: OnceLock<Vec<(String, Vec<(String, Processed)>)>> = OnceLock::new();
    MADE.get_or_init(|| {
        super::demo_residents::BRANDS
            .iter()
            .enumerate()
            .map(|(i, (branch, ..))| {
                // 文兴社区's commune page has a gallery: two more scenes.
                let scenes: Vec<(u64, bool)> =
                    if *branch == "wenxing" { vec![(i as u64, false), (i as u64 + 20, true), (i as u64 + 40, false)] } else { vec![(i as u64, i % 3 == 2)] };
                let photos = scenes
                    .into_iter()
                    .map(|(seed, park)| {
                        let bytes = jpeg(&scene(seed, park));
                        (hash_of(&bytes), process(&bytes).expect("a generated photo passes the checks"))
                    })
                    .collect();
                (branch.to_string(), photos)
            })
            .collect()
    })
}
