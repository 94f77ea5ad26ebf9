//! Colour-blind-safe sequential palettes, sampled for k classes, and the
//! contrast arithmetic used to check text colours.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A sequential palette, from light (lowest class) to dark (highest): on a
/// white page darker reads as more. All three stay ordered in lightness for
/// the common colour-vision deficiencies. In the config: "viridis",
/// "cividis", "ylgnbu".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Palette {
    /// matplotlib's viridis (van der Walt & Smith): yellow to dark purple.
    #[default]
    Viridis,
    /// cividis (Nuñez, Anderton & Renslow 2018): yellow to dark blue,
    /// optimised for deuteranopia.
    Cividis,
    /// ColorBrewer YlGnBu (Brewer, Penn State): the designed 3- to 9-class schemes.
    YlGnBu,
}

/// An sRGB colour, 8 bits per channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    /// Parses six hex digits, without '#'. Only used on the tables below.
    fn from_hex(hex: &[u8]) -> Rgb {
        let digit = |c: u8| match c {
            b'0'..=b'9' => c - b'0',
            _ => c - b'a' + 10,
        };
        let byte = |i: usize| digit(hex[i]) * 16 + digit(hex[i + 1]);
        Rgb(byte(0), byte(2), byte(4))
    }

    /// WCAG 2 relative luminance.
    pub fn luminance(self) -> f64 {
        let linear = |c: u8| {
            let c = f64::from(c) / 255.0;
            if c <= 0.04045 {
                c / 12.92
            } else {
                ((c + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * linear(self.0) + 0.7152 * linear(self.1) + 0.0722 * linear(self.2)
    }

    /// WCAG 2 contrast ratio between two colours, 1 to 21.
    pub fn contrast(self, other: Rgb) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }

    fn mix(self, other: Rgb, t: f64) -> Rgb {
        let channel =
            |a: u8, b: u8| (f64::from(a) + (f64::from(b) - f64::from(a)) * t).round() as u8;
        Rgb(
            channel(self.0, other.0),
            channel(self.1, other.1),
            channel(self.2, other.2),
        )
    }
}

/// "#rrggbb", as written into the SVG.
impl fmt::Display for Rgb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{:02x}{:02x}{:02x}", self.0, self.1, self.2)
    }
}

impl Palette {
    /// One colour per class, lowest class (lightest) first.
    pub fn colours(self, k: usize) -> Vec<Rgb> {
        // The matplotlib maps run dark to light, so they are read backwards.
        let reversed = |mut colours: Vec<Rgb>| {
            colours.reverse();
            colours
        };
        match self {
            Palette::Viridis => reversed(sample_lut(VIRIDIS, k)),
            Palette::Cividis => reversed(sample_lut(CIVIDIS, k)),
            Palette::YlGnBu => ylgnbu(k),
        }
    }
}

/// Samples a 256-entry colour map at t = i/(k−1) the way matplotlib and d3
/// do (entry ⌊256·t⌋, the last clamped to 255), so k = 5 viridis gives the
/// familiar #440154, #3b528b, #21918c, #5ec962, #fde725. One class takes the
/// middle colour.
fn sample_lut(lut: &str, k: usize) -> Vec<Rgb> {
    let entry = |i: usize| Rgb::from_hex(&lut.as_bytes()[6 * i..6 * i + 6]);
    match k {
        0 => Vec::new(),
        1 => vec![entry(128)],
        _ => (0..k)
            .map(|i| entry((256 * i / (k - 1)).min(255)))
            .collect(),
    }
}

/// The ColorBrewer scheme designed for exactly k classes (3 to 9). Fewer
/// classes take the ends (and middle) of the 3-class scheme; more are
/// interpolated along the 9-class scheme.
fn ylgnbu(k: usize) -> Vec<Rgb> {
    let scheme = |n: usize| -> Vec<Rgb> {
        YLGNBU[n - 3]
            .as_bytes()
            .chunks(6)
            .map(Rgb::from_hex)
            .collect()
    };
    match k {
        0 => Vec::new(),
        1 => vec![scheme(3)[1]],
        2 => {
            let three = scheme(3);
            vec![three[0], three[2]]
        }
        3..=9 => scheme(k),
        _ => {
            let nine = scheme(9);
            (0..k)
                .map(|i| {
                    let position = 8.0 * i as f64 / (k - 1) as f64;
                    let below = (position.floor() as usize).min(7);
                    nine[below].mix(nine[below + 1], position - below as f64)
                })
                .collect()
        }
    }
}

/// ColorBrewer 2.0 YlGnBu, 3 to 9 classes (Apache-2.0, Cynthia A. Brewer).
const YLGNBU: [&str; 7] = [
    "edf8b17fcdbb2c7fb8",
    "ffffcca1dab441b6c4225ea8",
    "ffffcca1dab441b6c42c7fb8253494",
    "ffffccc7e9b47fcdbb41b6c42c7fb8253494",
    "ffffccc7e9b47fcdbb41b6c41d91c0225ea80c2c84",
    "ffffd9edf8b1c7e9b47fcdbb41b6c41d91c0225ea80c2c84",
    "ffffd9edf8b1c7e9b47fcdbb41b6c41d91c0225ea8253494081d58",
];

// The 256-entry colour maps of matplotlib (lib/matplotlib/_cm_listed.py,
// CC0), each channel rounded to 8 bits; viridis as in d3-scale-chromatic.
const VIRIDIS: &str = "\
    44015444025645045745055946075a46085c460a5d460b5e470d60470e61471063471164471365481467481668481769\
    48186a481a6c481b6d481c6e481d6f481f70482071482173482374482475482576482677482878482979472a7a472c7a\
    472d7b472e7c472f7d46307e46327e46337f463480453581453781453882443983443a83443b84433d84433e85423f85\
    4240864241864142874144874045884046883f47883f48893e49893e4a893e4c8a3d4d8a3d4e8a3c4f8a3c508b3b518b\
    3b528b3a538b3a548c39558c39568c38588c38598c375a8c375b8d365c8d365d8d355e8d355f8d34608d34618d33628d\
    33638d32648e32658e31668e31678e31688e30698e306a8e2f6b8e2f6c8e2e6d8e2e6e8e2e6f8e2d708e2d718e2c718e\
    2c728e2c738e2b748e2b758e2a768e2a778e2a788e29798e297a8e297b8e287c8e287d8e277e8e277f8e27808e26818e\
    26828e26828e25838e25848e25858e24868e24878e23888e23898e238a8d228b8d228c8d228d8d218e8d218f8d21908d\
    21918c20928c20928c20938c1f948c1f958b1f968b1f978b1f988b1f998a1f9a8a1e9b8a1e9c891e9d891f9e891f9f88\
    1fa0881fa1881fa1871fa28720a38620a48621a58521a68522a78522a88423a98324aa8325ab8225ac8226ad8127ad81\
    28ae8029af7f2ab07f2cb17e2db27d2eb37c2fb47c31b57b32b67a34b67935b77937b87838b9773aba763bbb753dbc74\
    3fbc7340bd7242be7144bf7046c06f48c16e4ac16d4cc26c4ec36b50c46a52c56954c56856c66758c7655ac8645cc863\
    5ec96260ca6063cb5f65cb5e67cc5c69cd5b6ccd5a6ece5870cf5773d05675d05477d1537ad1517cd2507fd34e81d34d\
    84d44b86d54989d5488bd6468ed64590d74393d74195d84098d83e9bd93c9dd93ba0da39a2da37a5db36a8db34aadc32\
    addc30b0dd2fb2dd2db5de2bb8de29bade28bddf26c0df25c2df23c5e021c8e020cae11fcde11dd0e11cd2e21bd5e21a\
    d8e219dae319dde318dfe318e2e418e5e419e7e419eae51aece51befe51cf1e51df4e61ef6e620f8e621fbe723fde725\
";

const CIVIDIS: &str = "\
    00224e00234f00245100255300255400265600275800285900285b00295d002a5f002a61002b62002c64002c66002d68\
    002e6a002e6c002f6d00306f0030700031700031710132710533710833700c34700f357012357014367016377018376f\
    1a386f1c396f1e3a6f203a6f213b6e233c6e243c6e263d6e273e6e293f6e2a3f6d2b406d2d416d2e416d2f426d31436d\
    32436d33446d34456c35456c36466c38476c39486c3a486c3b496c3c4a6c3d4a6c3e4b6c3f4c6c404c6c414d6c424e6c\
    434e6c444f6c45506c46516c47516c48526c49536c4a536c4b546c4c556c4d556c4e566c4f576c50576c51586d52596d\
    535a6d545a6d555b6d555c6d565c6d575d6d585e6d595e6e5a5f6e5b606e5c616e5d616e5e626e5e636f5f636f60646f\
    61656f62656f636670646770656870656870666970676a71686a71696b716a6c716b6d726c6d726c6e726d6f726e6f73\
    6f70737071737172747272747273747374757474757575757676767777767777777878777979777a7a787b7a787c7b78\
    7d7c787e7c787e7d787f7e78807f78817f788280798381798482798582798683798784788885788985788a86788b8778\
    8c88788d88788e89788f8a78908b78918b78928c78928d78938e78948e77958f779690779791779892779992779a9376\
    9b94769c95769d95769e96769f9775a09875a19975a29975a39a74a49b74a59c74a69c74a79d73a89e73a99f73aaa073\
    aba072aca172ada272aea371afa471b0a571b1a570b3a670b4a76fb5a86fb6a96fb7a96eb8aa6eb9ab6dbaac6dbbad6d\
    bcae6cbdae6cbeaf6bbfb06bc0b16ac1b26ac2b369c3b369c4b468c5b568c6b667c7b767c8b866c9b965cbb965ccba64\
    cdbb63cebc63cfbd62d0be62d1bf61d2c060d3c05fd4c15fd5c25ed6c35dd7c45cd9c55cdac65bdbc75adcc859ddc858\
    dec958dfca57e0cb56e1cc55e2cd54e4ce53e5cf52e6d051e7d150e8d24fe9d34eead34cebd44bedd54aeed649efd748\
    f0d846f1d945f2da44f3db42f5dc41f6dd3ff7de3ef8df3cf9e03afbe138fce236fde334fee434fee535fee636fee838\
";

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(colours: &[Rgb]) -> Vec<String> {
        colours.iter().map(Rgb::to_string).collect()
    }

    #[test]
    fn viridis_five_is_the_familiar_sample_light_first() {
        assert_eq!(
            hex(&Palette::Viridis.colours(5)),
            ["#fde725", "#5ec962", "#21918c", "#3b528b", "#440154"]
        );
    }

    #[test]
    fn cividis_runs_from_yellow_to_blue() {
        let colours = Palette::Cividis.colours(3);
        assert_eq!(hex(&colours), ["#fee838", "#7d7c78", "#00224e"]);
    }

    #[test]
    fn ylgnbu_uses_the_designed_scheme_for_k() {
        assert_eq!(
            hex(&Palette::YlGnBu.colours(5)),
            ["#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"]
        );
        assert_eq!(hex(&Palette::YlGnBu.colours(2)), ["#edf8b1", "#2c7fb8"]);
        let eleven = Palette::YlGnBu.colours(11);
        assert_eq!(
            (eleven[0], eleven[10]),
            (Rgb(0xff, 0xff, 0xd9), Rgb(0x08, 0x1d, 0x58))
        );
    }

    #[test]
    fn every_palette_darkens_class_by_class() {
        for palette in [Palette::Viridis, Palette::Cividis, Palette::YlGnBu] {
            for k in 1..=12 {
                let colours = palette.colours(k);
                assert_eq!(colours.len(), k);
                let lum: Vec<f64> = colours.iter().map(|c| c.luminance()).collect();
                assert!(
                    lum.windows(2).all(|w| w[0] > w[1]),
                    "{palette:?} k={k}: {lum:?}"
                );
            }
        }
    }

    #[test]
    fn contrast_matches_wcag_examples() {
        let black = Rgb(0, 0, 0);
        let white = Rgb(255, 255, 255);
        assert!((black.contrast(white) - 21.0).abs() < 1e-9);
        assert!((Rgb(0x76, 0x76, 0x76).contrast(white) - 4.54).abs() < 0.01);
    }

    #[test]
    fn palette_reads_from_config_names() {
        #[derive(Deserialize)]
        struct Maps {
            palette: Palette,
        }
        let read = |s: &str| toml::from_str::<Maps>(s).map(|m| m.palette);
        assert_eq!(read("palette = \"viridis\"").unwrap(), Palette::Viridis);
        assert_eq!(read("palette = \"cividis\"").unwrap(), Palette::Cividis);
        assert_eq!(read("palette = \"ylgnbu\"").unwrap(), Palette::YlGnBu);
        assert!(read("palette = \"jet\"").is_err());
    }
}
