//! The report as one self-contained HTML page: the Markdown report's content, inline CSS, no
//! script and no external asset. Every dynamic string goes through [`escape_html`].
//!
//! It reads top-down: the verdict (pass, fail or incomplete, with the counts), the levels when the
//! report has them, a table of contents, then the findings (each with expected vs observed and its
//! reproduction), the families (each linking to its trials), and the details. Nothing is wider than
//! the window: long ids, URLs and bodies wrap (checked in headless Chromium at 1400 px by
//! `tests/report_view.rs`).

use super::{
    display_seed, plural, summary_line, FamilyCounts, Outcome, Report, TrialRecord, ASSUMED_MARKER,
};
use crate::report::markdown::{label, run_date, BASIS_LEGEND};

const STYLE: &str = "\
html{overflow-wrap:anywhere}
body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#1b1f23;line-height:1.45}
h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #d0d7de;padding-bottom:.2rem}h3{font-size:1.05rem;margin-bottom:.3rem}
table{border-collapse:collapse;margin:.5rem 0 1rem;max-width:100%}th,td{border:1px solid #d0d7de;padding:.25rem .6rem;text-align:left;vertical-align:top;overflow-wrap:anywhere}
td.n,th.n{text-align:right;overflow-wrap:normal}th{background:#f6f8fa}
code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;overflow-wrap:anywhere}
pre{background:#f6f8fa;border:1px solid #d0d7de;padding:.6rem;white-space:pre-wrap;max-width:100%;box-sizing:border-box}
dl.meta{display:grid;grid-template-columns:max-content minmax(0,1fr);gap:.15rem 1rem}dl.meta dt{font-weight:600}dl.meta dd{margin:0;min-width:0}
section.finding{border-left:4px solid #cf222e;padding-left:.8rem;margin:1.2rem 0}section.finding.harness_error{border-color:#bf8700}
.facts{color:#57606a;margin:.2rem 0}
.assumed{background:#fff8c5;border:1px solid #d4a72c;border-radius:3px;padding:0 .3rem;font-weight:600;font-size:.9em}
td.conformant{color:#1a7f37}td.divergent{color:#cf222e;font-weight:600}td.unconfirmed{color:#9a6700}td.harness_error{color:#9a6700;font-weight:600}td.skipped{color:#57606a}
section.root{border-left:4px solid #cf222e;padding-left:.8rem;margin:1.2rem 0}section.root.unconfirmed{border-color:#d4a72c}
section.verdict{border:2px solid #1a7f37;border-radius:6px;padding:.6rem 1rem;margin:1rem 0;background:#dafbe1}
section.verdict.fail{border-color:#cf222e;background:#ffebe9}section.verdict.incomplete{border-color:#bf8700;background:#fff8c5}
.verdict-word{font-size:1.8rem;font-weight:700;margin:0}
nav.toc ol{columns:2;margin:.3rem 0}
details>summary{cursor:pointer;color:#0969da}
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
    verdict(&mut out, report);
    levels(&mut out, report);
    toc(&mut out);
    root_causes(&mut out, report);
    header(&mut out, report);
    summary(&mut out, report);
    families(&mut out, report);
    trials_of(&mut out, report, true);
    trials_of(&mut out, report, false);
    skipped(&mut out, report);
    all_trials(&mut out, report);
    out.push_str("</body>\n</html>\n");
    out
}

/// A reproduction as the page shows it: a line over [`MAX_LINE`] bytes (a request body of megabytes)
/// is cut, with a note; the whole snippet is in `report.md` and `report.json`.
fn shown(reproduction: &str) -> String {
    reproduction
        .lines()
        .map(|line| {
            if line.len() <= MAX_LINE {
                return line.to_string();
            }
            let mut cut = MAX_LINE / 2;
            while !line.is_char_boundary(cut) {
                cut -= 1;
            }
            format!(
                "{}… [{} more bytes cut here; the whole reproduction is in report.md and report.json]",
                &line[..cut],
                line.len() - cut
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The longest reproduction line the page shows whole.
const MAX_LINE: usize = 16 * 1024;

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

/// The verdict, first: what the run's exit code says, in words, with the counts.
fn verdict(out: &mut String, r: &Report) {
    let s = &r.summary;
    let (class, word, why) = if r.fails(false) {
        (
            "fail",
            "FAIL",
            format!(
                "{} differ from AWS on evidence, in {}.",
                plural(s.divergent as u64, "trial", "trials"),
                plural(s.findings as u64, "finding", "findings")
            ),
        )
    } else if s.harness_errors > 0 {
        (
            "incomplete",
            "INCOMPLETE",
            format!(
                "No divergence, but {} could not be judged.",
                plural(s.harness_errors as u64, "trial", "trials")
            ),
        )
    } else {
        (
            "pass",
            "PASS",
            if s.unconfirmed > 0 {
                format!(
                    "No divergence on evidence; {} differ only from an assumption (they fail a run only with --strict).",
                    plural(s.unconfirmed as u64, "trial", "trials")
                )
            } else {
                "Every trial that ran answered as AWS does.".to_string()
            },
        )
    };
    out.push_str(&format!(
        "<section id=\"verdict\" class=\"verdict {class}\" data-verdict=\"{word}\" data-findings=\"{}\">\n\
         <p class=\"verdict-word\">{word}</p>\n<p>{}</p>\n<p>{} findings · {} trials: {} conformant, {} divergent, \
         {} unconfirmed, {} harness errors, {} skipped · {} requests</p>\n</section>\n",
        s.findings,
        e(&why),
        s.findings,
        s.trials,
        s.conformant,
        s.divergent,
        s.unconfirmed,
        s.harness_errors,
        s.skipped,
        s.requests
    ));
}

fn toc(out: &mut String) {
    out.push_str(
        "<nav class=\"toc\" id=\"contents\"><strong>Contents</strong><ol>\n\
         <li><a href=\"#verdict\">Verdict</a></li>\n\
         <li><a href=\"#levels\">Conformance levels</a></li>\n\
         <li><a href=\"#findings\">Findings</a></li>\n\
         <li><a href=\"#run\">The run</a></li>\n\
         <li><a href=\"#summary\">Summary</a></li>\n\
         <li><a href=\"#families\">By family</a></li>\n\
         <li><a href=\"#differ\">Trials that differ</a></li>\n\
         <li><a href=\"#harness-errors\">Harness errors</a></li>\n\
         <li><a href=\"#skipped\">Skipped</a></li>\n\
         <li><a href=\"#all-trials\">All trials, by family</a></li>\n\
         </ol></nav>\n",
    );
}

fn header(out: &mut String, r: &Report) {
    out.push_str("<h2 id=\"run\">The run</h2>\n<dl class=\"meta\">\n");
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
                code(&display_seed(&r.seed)),
                code(&format!("--seed {}", display_seed(&r.seed)))
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
        "<h2 id=\"summary\">Summary</h2>\n<table>\n<tr><th>Measure</th><th class=\"n\">Count</th></tr>\n",
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
    out.push_str("<h2 id=\"families\">By family</h2>\n");
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
        let link = format!(
            "<a href=\"#{}\">{}</a>",
            e(&family_anchor(&f.family)),
            code(&f.family)
        );
        out.push_str(&family_row(&link, f));
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
        if let Some(t) = r.trials.iter().find(|t| t.id == g.example) {
            out.push_str(&format!(
                "<pre>expected: {}\nobserved: {}</pre>\n",
                e(&t.expected),
                e(&t.observed)
            ));
            if let Some(reproduction) = &t.reproduction {
                out.push_str(&format!(
                    "<p>Reproduction ({}):</p>\n<pre><code class=\"language-sh\">{}</code></pre>\n",
                    code(&t.id),
                    e(&shown(reproduction.trim_end()))
                ));
            }
        }
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
        out.push_str("<h2 id=\"differ\">Trials that differ</h2>\n");
        if selected.is_empty() {
            out.push_str("<p>None.</p>\n");
            return;
        }
    } else {
        out.push_str("<h2 id=\"harness-errors\">Harness errors</h2>\n");
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
        facts.push(format!("failing instance {}", code(seed)));
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
            "<details><summary>Reproduction</summary>\n<pre><code class=\"language-sh\">{}</code></pre>\n</details>\n",
            e(&shown(reproduction.trim_end()))
        )),
        None => out.push_str("<p>No reproduction recorded.</p>\n"),
    }
    out.push_str("</section>\n");
}

fn skipped(out: &mut String, r: &Report) {
    out.push_str("<h2 id=\"skipped\">Skipped</h2>\n");
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
    out.push_str("<h2 id=\"all-trials\">All trials, by family</h2>\n");
    if r.trials.is_empty() {
        out.push_str("<p>No trials.</p>\n");
        return;
    }
    let mut families: std::collections::BTreeMap<&str, Vec<&TrialRecord>> =
        std::collections::BTreeMap::new();
    for t in &r.trials {
        families.entry(t.family()).or_default().push(t);
    }
    for (family, trials) in families {
        out.push_str(&format!(
            "<h3 id=\"{}\">{} <a href=\"#families\" title=\"back to the families\">↑</a></h3>\n",
            e(&family_anchor(family)),
            code(family)
        ));
        out.push_str(
            "<table>\n<tr><th>Case</th><th>Kind</th><th>Result</th><th>Basis</th>\
             <th class=\"n\">Instances</th></tr>\n",
        );
        for t in trials {
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
}

/// The anchor of a family's trials: `family-` and the family, as [`anchor`] makes ids safe.
fn family_anchor(family: &str) -> String {
    format!("family-{}", &anchor(family)["trial-".len()..])
}
