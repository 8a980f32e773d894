//! The report as Markdown: a conformance report a vendor can publish as it is.
//!
//! Every dynamic string is escaped for where it lands: identifiers in code spans, free text with
//! Markdown's punctuation (and so any HTML) backslash-escaped, multi-line text and reproductions in
//! fenced blocks whose fence is longer than any backtick run inside.

use super::{plural, summary_line, FamilyCounts, Outcome, Report, TrialRecord, ASSUMED_MARKER};

/// What the basis values mean, shown above the divergences.
pub(crate) const BASIS_LEGEND: &str = "Each finding names what its expectation rests on: \
`recorded` (AWS was recorded answering so), `documented` (AWS documentation or AWS-maintained data: \
botocore's model, cfn-lint, the SDK), `derived` (a rule recorded on other members and applied by the \
same mechanism) or `assumed` (nobody recorded AWS doing this: such a difference is *unconfirmed*, may \
be an error of the table rather than of the endpoint, and fails a run only with `--strict`).";

/// The Markdown report.
pub fn render_markdown(report: &Report) -> String {
    let mut out = String::new();
    header(&mut out, report);
    levels(&mut out, report);
    summary(&mut out, report);
    findings(&mut out, report);
    families(&mut out, report);
    divergences(&mut out, report);
    harness_errors(&mut out, report);
    skipped(&mut out, report);
    all_trials(&mut out, report);
    out
}

/// The run's date: the date part of `started`.
pub(crate) fn run_date(report: &Report) -> &str {
    report.started.split('T').next().unwrap_or(&report.started)
}

fn header(out: &mut String, r: &Report) {
    out.push_str(&format!(
        "# Lambda CreateFunction conformance: {} ({})\n\n",
        text(&r.target),
        text(run_date(r))
    ));
    out.push_str(&format!("- **Target:** {}\n", code(&r.target)));
    out.push_str(&format!("- **Endpoint:** {}\n", code(&r.endpoint)));
    out.push_str(&format!("- **Profile:** {}\n", code(&r.profile)));
    out.push_str(&format!(
        "- **Tool:** {}\n",
        code(&format!("{} {}", r.tool.name, r.tool.version))
    ));
    out.push_str(&format!(
        "- **Run:** {} to {}\n",
        text(&r.started),
        text(&r.finished)
    ));
    out.push_str(&format!(
        "- **Seed:** {} ({} repeats the run's requests)\n",
        code(&super::display_seed(&r.seed)),
        code(&format!("--seed {}", super::display_seed(&r.seed)))
    ));
    if !r.corpus_sha256.is_empty() {
        out.push_str(&format!(
            "- **Corpus sha256:** {}\n",
            code(&r.corpus_sha256)
        ));
    }
    out.push('\n');
    out.push_str(&format!("**Result:** {}\n\n", text(&summary_line(r))));
}

/// Findings of a level shown inline; the rest are in report.json.
const LEVEL_FINDINGS_SHOWN: usize = 20;

fn levels(out: &mut String, r: &Report) {
    if r.levels.is_empty() {
        return;
    }
    out.push_str("## Conformance levels

| Level | What it asks | Status | Checks | Failing | Not judged | Why |\n|---|---|---|---:|---:|---:|---|\n");
    for l in &r.levels {
        out.push_str(&format!(
            "| {} | {} | **{}** | {} | {} | {} | {} |\n",
            code(l.level.as_str()),
            text(l.level.describe()),
            l.status.as_str(),
            l.checks,
            l.failing,
            l.not_judged,
            text(&l.reason)
        ));
    }
    out.push('\n');
    for l in r.levels.iter().filter(|l| !l.findings.is_empty()) {
        out.push_str(&format!(
            "Failing at `{}` ({}):\n\n",
            l.level.as_str(),
            plural(l.findings.len() as u64, "finding", "findings")
        ));
        for f in l.findings.iter().take(LEVEL_FINDINGS_SHOWN) {
            out.push_str(&format!("- {}: {}\n", code(&f.check), text(&f.finding)));
        }
        if l.findings.len() > LEVEL_FINDINGS_SHOWN {
            out.push_str(&format!(
                "- … and {} more (report.json `levels`)\n",
                l.findings.len() - LEVEL_FINDINGS_SHOWN
            ));
        }
        out.push('\n');
    }
}

fn summary(out: &mut String, r: &Report) {
    let s = &r.summary;
    out.push_str("## Summary\n\n| Measure | Count |\n|---|---:|\n");
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
        out.push_str(&format!("| {name} | {n} |\n"));
    }
    out.push('\n');
}

fn families(out: &mut String, r: &Report) {
    out.push_str("## By family\n\n");
    let families = r.by_family();
    if families.is_empty() {
        out.push_str("No trials.\n\n");
        return;
    }
    out.push_str(
        "| Family | Trials | Conformant | Divergent | Unconfirmed | Harness errors | Skipped |\n\
         |---|---:|---:|---:|---:|---:|---:|\n",
    );
    for f in &families {
        out.push_str(&family_row(&cell_code(&f.family), f));
    }
    let total = FamilyCounts::total(&families);
    out.push_str(&family_row("**Total**", &total));
    out.push('\n');
}

fn family_row(name: &str, f: &FamilyCounts) -> String {
    format!(
        "| {name} | {} | {} | {} | {} | {} | {} |\n",
        f.trials, f.conformant, f.divergent, f.unconfirmed, f.harness_errors, f.skipped
    )
}

fn findings(out: &mut String, r: &Report) {
    out.push_str("## Findings\n\n");
    if r.findings.is_empty() {
        out.push_str("None: every trial that ran answered as AWS does.\n\n");
        return;
    }
    out.push_str(BASIS_LEGEND);
    out.push_str("\n\n");
    for g in &r.findings {
        out.push_str(&format!(
            "### {} {} ({}, {})\n\n",
            code(&g.id),
            text(&g.summary),
            label(g.outcome),
            plural(g.trials.len() as u64, "trial", "trials")
        ));
        out.push_str(&format!("- **Basis:** {}\n", code(g.basis.as_str())));
        if !g.evidence.is_empty() {
            out.push_str(&format!("- **Evidence:** {}\n", text(&g.evidence)));
        }
        let ids: Vec<String> = g.trials.iter().map(|t| code(t)).collect();
        out.push_str(&format!("- **Trials:** {}\n\n", ids.join(", ")));
        if let Some(t) = r.trials.iter().find(|t| t.id == g.example) {
            out.push_str(&fenced(
                &format!("expected: {}\nobserved: {}", t.expected, t.observed),
                "text",
            ));
            if let Some(reproduction) = &t.reproduction {
                out.push_str(&format!("Reproduction ({}):\n\n", code(&t.id)));
                out.push_str(&fenced(reproduction, "sh"));
            }
        }
    }
}

fn divergences(out: &mut String, r: &Report) {
    out.push_str("## Trials that differ\n\n");
    let divergent: Vec<&TrialRecord> = r.trials.iter().filter(|t| t.outcome.differs()).collect();
    if divergent.is_empty() {
        out.push_str("None.\n\n");
        return;
    }
    for t in divergent {
        finding(out, t);
    }
}

fn harness_errors(out: &mut String, r: &Report) {
    out.push_str("## Harness errors\n\n");
    let errors: Vec<&TrialRecord> = r
        .trials
        .iter()
        .filter(|t| t.outcome == Outcome::HarnessError)
        .collect();
    if errors.is_empty() {
        out.push_str("None.\n\n");
        return;
    }
    out.push_str(
        "The harness could not judge these trials; they say nothing about the endpoint.\n\n",
    );
    for t in errors {
        finding(out, t);
    }
}

/// One divergence or harness error: heading, facts, expected vs observed, message, reproduction.
fn finding(out: &mut String, t: &TrialRecord) {
    let marker = if t.outcome == Outcome::Unconfirmed {
        format!(" {ASSUMED_MARKER}")
    } else {
        String::new()
    };
    out.push_str(&format!("### {}{marker}\n\n", code(&t.id)));
    let mut facts = vec![
        format!("kind {}", code(&t.kind)),
        format!("basis {}", code(t.basis.as_str())),
        plural(u64::from(t.instances), "instance", "instances"),
    ];
    if let Some(seed) = &t.seed {
        facts.push(format!("failing instance {}", code(seed)));
    }
    if let Some(f) = &t.finding {
        facts.push(format!("finding {}", code(f)));
    }
    out.push_str(&facts.join(" · "));
    out.push_str("\n\n");
    out.push_str(&fenced(
        &format!("expected: {}\nobserved: {}", t.expected, t.observed),
        "text",
    ));
    if !t.message.is_empty() {
        out.push_str(&fenced(&t.message, "text"));
    }
    match &t.reproduction {
        Some(reproduction) => {
            out.push_str("Reproduction:\n\n");
            out.push_str(&fenced(reproduction, "sh"));
        }
        None => out.push_str("No reproduction recorded.\n\n"),
    }
}

fn skipped(out: &mut String, r: &Report) {
    out.push_str("## Skipped\n\n");
    let skipped: Vec<&TrialRecord> = r
        .trials
        .iter()
        .filter(|t| t.outcome == Outcome::Skipped)
        .collect();
    if skipped.is_empty() {
        out.push_str("None.\n\n");
        return;
    }
    out.push_str("These trials were not run; they count neither for nor against the endpoint.\n\n");
    out.push_str("| Case | Reason |\n|---|---|\n");
    for t in skipped {
        out.push_str(&format!(
            "| {} | {} |\n",
            cell_code(&t.id),
            text(t.skipped.as_deref().unwrap_or(""))
        ));
    }
    out.push('\n');
}

fn all_trials(out: &mut String, r: &Report) {
    out.push_str("## All trials\n\n");
    if r.trials.is_empty() {
        out.push_str("No trials.\n");
        return;
    }
    out.push_str("| Case | Kind | Result | Basis | Instances |\n|---|---|---|---|---:|\n");
    for t in &r.trials {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            cell_code(&t.id),
            cell_code(&t.kind),
            result(t),
            cell_code(t.basis.as_str()),
            t.instances
        ));
    }
}

/// The result shown for a trial in the list of all trials (static text), with the assumption marker.
fn result(t: &TrialRecord) -> String {
    if t.outcome == Outcome::Unconfirmed {
        format!("{} {ASSUMED_MARKER}", label(t.outcome))
    } else {
        label(t.outcome).to_string()
    }
}

/// The words for a result in the human reports.
pub(crate) fn label(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Conformant => "conformant",
        Outcome::Divergent => "divergent",
        Outcome::Unconfirmed => "unconfirmed",
        Outcome::HarnessError => "harness error",
        Outcome::Skipped => "skipped",
    }
}

/// Free text on one line, with Markdown's active punctuation backslash-escaped (so no HTML, no
/// emphasis, no link and no table-cell break can come from it).
pub(crate) fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '|' | '&' | '~' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\r' | '\n' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// An inline code span holding `s` on one line, its delimiter longer than any backtick run in `s`.
fn code(s: &str) -> String {
    let s = s.replace(['\r', '\n'], " ");
    let ticks = "`".repeat(longest_backtick_run(&s) + 1);
    if s.starts_with('`') || s.ends_with('`') {
        format!("{ticks} {s} {ticks}")
    } else {
        format!("{ticks}{s}{ticks}")
    }
}

/// A code span inside a table cell: `|` must be escaped even there.
fn cell_code(s: &str) -> String {
    code(s).replace('|', "\\|")
}

/// A fenced block holding `s`, its fence longer than any backtick run in `s`, followed by a blank line.
fn fenced(s: &str, lang: &str) -> String {
    let fence = "`".repeat((longest_backtick_run(s) + 1).max(3));
    let body = s.trim_end_matches(['\r', '\n']);
    format!("{fence}{lang}\n{body}\n{fence}\n\n")
}

fn longest_backtick_run(s: &str) -> usize {
    let mut longest = 0;
    let mut run = 0;
    for c in s.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    longest
}
