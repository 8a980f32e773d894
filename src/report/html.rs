//! The report as one self-contained HTML page: the Markdown report's content, inline CSS, no
//! script and no external asset. Every dynamic string goes through [`escape_html`].

use super::{plural, summary_line, FamilyCounts, Outcome, Report, TrialRecord, ASSUMED_MARKER};
use crate::report::markdown::{label, run_date, BASIS_LEGEND};

const STYLE: &str = "\
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#1b1f23;line-height:1.45}
h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.2rem}h3{font-size:1.05rem;margin-bottom:.3rem}
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #d0d7de;padding:.25rem .6rem;text-align:left;vertical-align:top}
td.n,th.n{text-align:right}th{background:#f6f8fa}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
pre{background:#f6f8fa;border:1px solid #d0d7de;padding:.6rem;overflow-x:auto;white-space:pre-wrap;word-break:break-word}
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem}dl.meta dt{font-weight:600}dl.meta dd{margin:0}
section.finding{border-left:4px solid #cf222e;padding-left:.8rem;margin:1.2rem 0}section.finding.harness_error{border-color:#bf8700}
.facts{color:#57606a;margin:.2rem 0}
.assumed{background:#fff8c5;border:1px solid #d4a72c;border-radius:3px;padding:0 .3rem;font-weight:600;font-size:.9em}
td.conformant{color:#1a7f37}td.divergent{color:#cf222e;font-weight:600}td.unconfirmed{color:#9a6700}td.harness_error{color:#9a6700;font-weight:600}td.skipped{color:#57606a}
section.root{border-left:4px solid #cf222e;padding-left:.8rem;margin:1.2rem 0}section.root.unconfirmed{border-color:#d4a72c}
";

/// Escapes `&`, `<`, `>`, `"` and `'` so that `s` is inert as HTML text or as a quoted attribute value.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// The HTML report.
pub fn render_html(report: &Report) -> String {
    let title = format!(
        "Lambda CreateFunction conformance: {} ({})",
        report.target,
        run_date(report)
    );
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str(&format!("<title>{}</title>\n", e(&title)));
    out.push_str(&format!("<style>\n{STYLE}</style>\n</head>\n<body>\n"));
    out.push_str(&format!("<h1>{}</h1>\n", e(&title)));
    header(&mut out, report);
    levels(&mut out, report);
    summary(&mut out, report);
    root_causes(&mut out, report);
    families(&mut out, report);
    trials_of(&mut out, report, true);
    trials_of(&mut out, report, false);
    skipped(&mut out, report);
    all_trials(&mut out, report);
    out.push_str("</body>\n</html>\n");
    out
}

fn e(s: &str) -> String {
    escape_html(s)
}

fn code(s: &str) -> String {
    format!("<code>{}</code>", e(s))
}

/// The anchor of a trial's finding: `trial-` and the id, any character outside `[A-Za-z0-9_:.-]` as `-`.
fn anchor(id: &str) -> String {
    let safe: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '.' | '-') {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("trial-{safe}")
}

fn header(out: &mut String, r: &Report) {
    out.push_str("<dl class=\"meta\">\n");
    let rows = [
        ("Target", code(&r.target)),
        ("Endpoint", code(&r.endpoint)),
        ("Profile", code(&r.profile)),
        ("Tool", code(&format!("{} {}", r.tool.name, r.tool.version))),
        ("Run", format!("{} to {}", e(&r.started), e(&r.finished))),
        (
            "Seed",
            format!(
                "{} ({} repeats the run's requests)",
                code(&r.seed),
                code(&format!("--seed {}", r.seed))
            ),
        ),
    ];
    for (name, value) in rows {
        out.push_str(&format!("<dt>{name}</dt><dd>{value}</dd>\n"));
    }
    out.push_str("</dl>\n");
    out.push_str(&format!(
        "<p class=\"result\"><strong>Result:</strong> {}</p>\n",
        e(&summary_line(r))
    ));
}

/// The conformance levels as one table (the data is `report.levels`; findings are in report.json and
/// the Markdown report).
fn levels(out: &mut String, r: &Report) {
    if r.levels.is_empty() {
        return;
    }
    out.push_str("<h2 id=\"levels\">Conformance levels</h2>\n<table>\n<tr><th>Level</th><th>Status</th><th class=\"n\">Checks</th><th class=\"n\">Failing</th><th>Why</th></tr>\n");
    for l in &r.levels {
        out.push_str(&format!(
            "<tr><td>{}</td><td class=\"level-{}\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td></tr>\n",
            e(l.level.as_str()),
            l.status.as_str(),
            l.status.as_str(),
            l.checks,
            l.failing,
            e(&l.reason)
        ));
    }
    out.push_str("</table>\n");
}

fn summary(out: &mut String, r: &Report) {
    let s = &r.summary;
    out.push_str(
        "<h2>Summary</h2>\n<table>\n<tr><th>Measure</th><th class=\"n\">Count</th></tr>\n",
    );
    let rows: [(&str, u64); 9] = [
        ("Trials", s.trials as u64),
        ("Conformant", s.conformant as u64),
        ("Divergent", s.divergent as u64),
        ("Unconfirmed (on assumptions)", s.unconfirmed as u64),
        ("Findings (root causes)", s.findings as u64),
        ("Harness errors", s.harness_errors as u64),
        ("Skipped", s.skipped as u64),
        ("Requests sent", s.requests),
        ("429 answers retried", s.throttled_retries),
    ];
    for (name, n) in rows {
        out.push_str(&format!(
            "<tr><td>{name}</td><td class=\"n\">{n}</td></tr>\n"
        ));
    }
    out.push_str("</table>\n");
}

fn families(out: &mut String, r: &Report) {
    out.push_str("<h2>By family</h2>\n");
    let families = r.by_family();
    if families.is_empty() {
        out.push_str("<p>No trials.</p>\n");
        return;
    }
    out.push_str(
        "<table>\n<tr><th>Family</th><th class=\"n\">Trials</th><th class=\"n\">Conformant</th>\
         <th class=\"n\">Divergent</th><th class=\"n\">Unconfirmed</th><th class=\"n\">Harness errors</th>\
         <th class=\"n\">Skipped</th></tr>\n",
    );
    for f in &families {
        out.push_str(&family_row(&code(&f.family), f));
    }
    let total = FamilyCounts::total(&families);
    out.push_str(&family_row("<strong>Total</strong>", &total));
    out.push_str("</table>\n");
}

fn family_row(name: &str, f: &FamilyCounts) -> String {
    format!(
        "<tr><td>{name}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
         <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
        f.trials, f.conformant, f.divergent, f.unconfirmed, f.harness_errors, f.skipped
    )
}

/// The root causes, each with its evidence, its trials and one reproduction.
fn root_causes(out: &mut String, r: &Report) {
    out.push_str("<h2 id=\"findings\">Findings</h2>\n");
    if r.findings.is_empty() {
        out.push_str("<p>None: every trial that ran answered as AWS does.</p>\n");
        return;
    }
    out.push_str(&format!("<p>{}</p>\n", e(BASIS_LEGEND)));
    for g in &r.findings {
        out.push_str(&format!(
            "<section class=\"root {}\" id=\"{}\">\n<h3>{} {} ({}, {})</h3>\n",
            g.outcome.as_str(),
            e(&g.id),
            code(&g.id),
            e(&g.summary),
            label(g.outcome),
            e(&plural(g.trials.len() as u64, "trial", "trials"))
        ));
        out.push_str(&format!(
            "<p class=\"facts\">basis {}{}</p>\n",
            code(g.basis.as_str()),
            if g.evidence.is_empty() {
                String::new()
            } else {
                format!(" · evidence: {}", e(&g.evidence))
            }
        ));
        let links: Vec<String> = g
            .trials
            .iter()
            .map(|t| format!("<a href=\"#{}\">{}</a>", e(&anchor(t)), code(t)))
            .collect();
        out.push_str(&format!("<p>Trials: {}</p>\n", links.join(", ")));
        out.push_str("</section>\n");
    }
}

/// The trials that differ (`differ`), or the harness errors, one section each.
fn trials_of(out: &mut String, r: &Report, differ: bool) {
    let selected: Vec<&TrialRecord> = r
        .trials
        .iter()
        .filter(|t| {
            if differ {
                t.outcome.differs()
            } else {
                t.outcome == Outcome::HarnessError
            }
        })
        .collect();
    if differ {
        out.push_str("<h2>Trials that differ</h2>\n");
        if selected.is_empty() {
            out.push_str("<p>None.</p>\n");
            return;
        }
    } else {
        out.push_str("<h2>Harness errors</h2>\n");
        if selected.is_empty() {
            out.push_str("<p>None.</p>\n");
            return;
        }
        out.push_str(
            "<p>The harness could not judge these trials; they say nothing about the endpoint.</p>\n",
        );
    }
    for t in selected {
        finding(out, t);
    }
}

fn finding(out: &mut String, t: &TrialRecord) {
    out.push_str(&format!(
        "<section class=\"finding {}\" id=\"{}\">\n",
        t.outcome.as_str(),
        e(&anchor(&t.id))
    ));
    let marker = if t.outcome == Outcome::Unconfirmed {
        format!(" <span class=\"assumed\">{}</span>", e(ASSUMED_MARKER))
    } else {
        String::new()
    };
    out.push_str(&format!("<h3>{}{marker}</h3>\n", code(&t.id)));
    let mut facts = vec![
        format!("kind {}", code(&t.kind)),
        format!("basis {}", code(t.basis.as_str())),
        e(&plural(u64::from(t.instances), "instance", "instances")),
    ];
    if let Some(seed) = &t.seed {
        facts.push(format!("seed {}", code(seed)));
    }
    if let Some(f) = &t.finding {
        facts.push(format!("finding <a href=\"#{}\">{}</a>", e(f), code(f)));
    }
    out.push_str(&format!("<p class=\"facts\">{}</p>\n", facts.join(" · ")));
    out.push_str(&format!(
        "<pre>expected: {}\nobserved: {}</pre>\n",
        e(&t.expected),
        e(&t.observed)
    ));
    if !t.message.is_empty() {
        out.push_str(&format!("<pre>{}</pre>\n", e(t.message.trim_end())));
    }
    match &t.reproduction {
        Some(reproduction) => out.push_str(&format!(
            "<p>Reproduction:</p>\n<pre><code class=\"language-sh\">{}</code></pre>\n",
            e(reproduction.trim_end())
        )),
        None => out.push_str("<p>No reproduction recorded.</p>\n"),
    }
    out.push_str("</section>\n");
}

fn skipped(out: &mut String, r: &Report) {
    out.push_str("<h2>Skipped</h2>\n");
    let skipped: Vec<&TrialRecord> = r
        .trials
        .iter()
        .filter(|t| t.outcome == Outcome::Skipped)
        .collect();
    if skipped.is_empty() {
        out.push_str("<p>None.</p>\n");
        return;
    }
    out.push_str(
        "<p>These trials were not run; they count neither for nor against the endpoint.</p>\n\
         <table>\n<tr><th>Case</th><th>Reason</th></tr>\n",
    );
    for t in skipped {
        out.push_str(&format!(
            "<tr><td>{}</td><td>{}</td></tr>\n",
            code(&t.id),
            e(t.skipped.as_deref().unwrap_or(""))
        ));
    }
    out.push_str("</table>\n");
}

fn all_trials(out: &mut String, r: &Report) {
    out.push_str("<h2>All trials</h2>\n");
    if r.trials.is_empty() {
        out.push_str("<p>No trials.</p>\n");
        return;
    }
    out.push_str(
        "<table>\n<tr><th>Case</th><th>Kind</th><th>Result</th><th>Basis</th>\
         <th class=\"n\">Instances</th></tr>\n",
    );
    for t in &r.trials {
        let shown = t.outcome;
        let result = if shown == Outcome::Unconfirmed {
            format!(
                "{} <span class=\"assumed\">{}</span>",
                label(shown),
                e(ASSUMED_MARKER)
            )
        } else {
            label(shown).to_string()
        };
        let case = match shown {
            Outcome::Divergent | Outcome::Unconfirmed | Outcome::HarnessError => {
                format!("<a href=\"#{}\">{}</a>", e(&anchor(&t.id)), code(&t.id))
            }
            Outcome::Conformant | Outcome::Skipped => code(&t.id),
        };
        out.push_str(&format!(
            "<tr><td>{case}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td class=\"n\">{}</td></tr>\n",
            code(&t.kind),
            shown.as_str(),
            result,
            code(t.basis.as_str()),
            t.instances
        ));
    }
    out.push_str("</table>\n");
}
