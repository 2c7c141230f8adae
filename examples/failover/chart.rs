//! The SVG chart of `failover`: the share of page loads sent to the dead address, second
//! by second, one line per scenario.

use std::error::Error;
use std::path::Path;

use plotters::prelude::*;

use crate::Options;
use crate::model::{LEAD, Outcome};

pub(crate) fn chart(options: &Options, outcomes: &[Outcome]) -> Result<(), Box<dyn Error>> {
    let colors = [
        RGBColor(31, 119, 180),
        RGBColor(44, 160, 44),
        RGBColor(214, 39, 40),
        RGBColor(255, 127, 14),
    ];
    let peak = outcomes
        .iter()
        .flat_map(|o| o.bins.iter().map(|b| b.share()))
        .fold(0.0, f64::max);
    // Headroom above the highest line for the legend.
    let top = (peak * 10.0).ceil() * 10.0 + 20.0;
    let root = SVGBackend::new(Path::new(&options.svg), (1200, 520)).into_drawing_area();
    root.fill(&WHITE)?;
    let root = root.titled(
        &format!(
            "Page loads sent to a dead host, by second after it dies (seed {}, {} clients)",
            options.seed, options.clients
        ),
        ("sans-serif", 20),
    )?;
    let panels = root.split_evenly((1, 2));
    let half = outcomes.len() / 2;
    for (panel, (title, group)) in panels.iter().zip([
        (
            "multi-primary: each host's NS answers with its own address",
            outcomes.get(..half).unwrap_or(&[]),
        ),
        (
            &match options.rr_withdraw {
                None => "round-robin: every address in one RRset, NS stay up".to_owned(),
                Some(s) => format!("round-robin: the dead address withdrawn at {s} s"),
            },
            outcomes.get(half..).unwrap_or(&[]),
        ),
    ]) {
        let mut chart = ChartBuilder::on(panel)
            .caption(title, ("sans-serif", 15))
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(-LEAD as f64..options.duration as f64, 0.0..top)?;
        chart
            .configure_mesh()
            .x_desc("seconds after the failure")
            .y_desc("% of page loads")
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .draw()?;
        for (outcome, color) in group.iter().zip(colors) {
            let points = outcome
                .bins
                .iter()
                .enumerate()
                .map(|(i, bin)| (i as f64 - LEAD as f64, 100.0 * bin.share()));
            chart
                .draw_series(LineSeries::new(points, color.stroke_width(2)))?
                .label(outcome.scenario.label())
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color));
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()?;
    }
    root.present()?;
    Ok(())
}
