//! A zone spec read, checked, projected and compiled: what a server answers from.

use crate::answer::AnswerTable;
use crate::error::Severity;
use crate::text::{ParseOptions, parse};
use crate::{Template, TemplateOptions, Zone};

use super::Log;
use super::config::ZoneSpec;

/// One zone as loaded: its copy and table, and the degraded ones when health is watched.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub(crate) zone: Zone,
    pub(crate) table: AnswerTable,
    pub(crate) degraded: Option<(Zone, AnswerTable)>,
}

impl Loaded {
    /// The copy and table to answer from: the degraded ones while the web service is
    /// down.
    pub(crate) fn copy(&self, degraded: bool) -> (&Zone, &AnswerTable) {
        match (&self.degraded, degraded) {
            (Some((zone, table)), true) => (zone, table),
            _ => (&self.zone, &self.table),
        }
    }
}

/// Reads, checks and compiles `spec` (projected for its host when it names one). Warnings
/// go to `log`; every error but the last too, the last is the message returned.
pub(crate) fn load(spec: &ZoneSpec, log: &Log) -> Result<Loaded, String> {
    let name = spec.file.display().to_string();
    let text = std::fs::read_to_string(&spec.file).map_err(|e| format!("{name}: {e}"))?;
    let mut options = ParseOptions::new()
        .file_name(name.as_str())
        .template(spec.host.is_some());
    if let Some(origin) = &spec.origin {
        options = options.origin(origin.clone());
    }
    let zone = parse(&text, &options).map_err(|e| e.to_string())?;
    let problems = zone.validate();
    for problem in problems
        .iter()
        .filter(|p| p.severity() == Severity::Warning)
    {
        log.warning(&problem.to_string());
    }
    let errors: Vec<_> = problems
        .iter()
        .filter(|p| p.severity() == Severity::Error)
        .collect();
    if let Some((last, others)) = errors.split_last() {
        for problem in others {
            log.error(&problem.to_string());
        }
        return Err(last.to_string());
    }
    let Some(key) = &spec.host else {
        let table = AnswerTable::compile(&zone).map_err(|e| format!("{name}: {e}"))?;
        return Ok(Loaded {
            zone,
            table,
            degraded: None,
        });
    };
    let mut template_options = TemplateOptions::new();
    for self_name in &spec.self_names {
        template_options = template_options.self_name(self_name.clone());
    }
    let template = Template::with_options(zone, &template_options);
    let (fleet, warnings) = template.fleet(&[]).map_err(|e| e.to_string())?;
    for warning in warnings {
        log.warning(&format!("{name}: {warning}"));
    }
    let host = fleet.host(key).ok_or_else(|| {
        let known: Vec<String> = fleet.hosts().iter().map(ToString::to_string).collect();
        format!(
            "{name}: unknown host {key}: the template's hosts are {}",
            known.join(", ")
        )
    })?;
    let zone = template.project(host).map_err(|e| e.to_string())?;
    let table = AnswerTable::compile(&zone).map_err(|e| format!("{name}: {e}"))?;
    let degraded = if spec.health.is_some() {
        let zone = template.degraded(&fleet, host).map_err(|e| e.to_string())?;
        let table =
            AnswerTable::compile(&zone).map_err(|e| format!("{name}: degraded copy: {e}"))?;
        Some((zone, table))
    } else {
        None
    };
    Ok(Loaded {
        zone,
        table,
        degraded,
    })
}
