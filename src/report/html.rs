//! The report as one self-contained HTML page: the Markdown report's content, inline CSS, no
//! script and no external asset. Every dynamic string goes through [`escape_html`].

use super::{plural, summary_line, FamilyCounts, Report, Shown, TrialRecord, ASSUMED_MARKER};
use crate::report::markdown::{divergent_count, label, run_date};

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
td.conformant{color:#1a7f37}td.divergent{color:#cf222e;font-weight:600}td.harness_error{color:#9a6700;font-weight:600}td.skipped{color:#57606a}
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
    summary(&mut out, report);
    families(&mut out, report);
    findings(&mut out, report, Shown::Divergent);
    findings(&mut out, report, Shown::HarnessError);
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

fn summary(out: &mut String, r: &Report) {
    let s = &r.summary;
    out.push_str(
        "<h2>Summary</h2>\n<table>\n<tr><th>Measure</th><th class=\"n\">Count</th></tr>\n",
    );
    let rows: [(&str, u64); 8] = [
        ("Trials", s.trials as u64),
        ("Conformant", s.conformant as u64),
        ("Divergent", s.divergent as u64),
        (
            "Divergent on assumptions",
            s.divergent_on_assumptions as u64,
        ),
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
         <th class=\"n\">Divergent</th><th class=\"n\">Harness errors</th><th class=\"n\">Skipped</th></tr>\n",
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
         <td class=\"n\">{}</td><td class=\"n\">{}</td></tr>\n",
        f.trials,
        f.conformant,
        e(&divergent_count(f)),
        f.harness_errors,
        f.skipped
    )
}

/// The divergences or the harness errors, one section each.
fn findings(out: &mut String, r: &Report, shown: Shown) {
    let selected: Vec<&TrialRecord> = r.trials.iter().filter(|t| t.shown() == shown).collect();
    if shown == Shown::Divergent {
        out.push_str("<h2>Divergences</h2>\n");
        if selected.is_empty() {
            out.push_str("<p>None: every trial that ran answered as AWS does.</p>\n");
            return;
        }
        out.push_str(
            "<p>Each divergence names the weakest source its expectation rests on: \
             <code>observed</code> (AWS was recorded answering so), <code>model</code> (botocore's \
             model of the API), <code>doc</code> (AWS's documentation) or <code>assumed</code> \
             (nobody recorded AWS doing this: the divergence may be an error of the table rather \
             than of the endpoint, and is marked so).</p>\n",
        );
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
        finding(out, t, shown);
    }
}

fn finding(out: &mut String, t: &TrialRecord, shown: Shown) {
    out.push_str(&format!(
        "<section class=\"finding {}\" id=\"{}\">\n",
        shown.as_str(),
        e(&anchor(&t.id))
    ));
    let marker = if shown == Shown::Divergent && t.is_assumed() {
        format!(" <span class=\"assumed\">{}</span>", e(ASSUMED_MARKER))
    } else {
        String::new()
    };
    out.push_str(&format!("<h3>{}{marker}</h3>\n", code(&t.id)));
    let mut facts = vec![
        format!("kind {}", code(&t.kind)),
        format!("basis {}", code(&t.basis)),
        e(&plural(u64::from(t.instances), "instance", "instances")),
    ];
    if let Some(seed) = &t.seed {
        facts.push(format!("seed {}", code(seed)));
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
        .filter(|t| t.shown() == Shown::Skipped)
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
        let shown = t.shown();
        let result = if shown == Shown::Divergent && t.is_assumed() {
            format!(
                "{} <span class=\"assumed\">{}</span>",
                label(shown),
                e(ASSUMED_MARKER)
            )
        } else {
            label(shown).to_string()
        };
        let case = match shown {
            Shown::Divergent | Shown::HarnessError => {
                format!("<a href=\"#{}\">{}</a>", e(&anchor(&t.id)), code(&t.id))
            }
            Shown::Conformant | Shown::Skipped => code(&t.id),
        };
        out.push_str(&format!(
            "<tr><td>{case}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td><td class=\"n\">{}</td></tr>\n",
            code(&t.kind),
            shown.as_str(),
            result,
            code(&t.basis),
            t.instances
        ));
    }
    out.push_str("</table>\n");
}
