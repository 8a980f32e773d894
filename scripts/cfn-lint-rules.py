#!/usr/bin/env python3
"""Extracts the CreateFunction rules from cfn-lint's AWS::Lambda::Function schema extensions.

    scripts/cfn-lint-rules.py --package DIR --version V --model specs/P/model.toml --out specs/P/cfn-lint.toml

DIR is the installed `cfnlint` package (never imported: only its data files and the rule sources are
read). Every schema under data/schemas/extensions/aws_lambda_function/ is either translated into
[[rule]] rows (source = "doc", evidence naming the version, the file, the rule id and a short quote) or
skipped with its reason; a schema whose shape this script does not know stops it, so a new cfn-lint
release cannot slip a rule past unread. Rules on members the model lacks are skipped. How AWS words a
rejection is not in cfn-lint: the overlay gives each rule its answer. Output is deterministic.
"""
import argparse
import json
import os
import re
import sys

EXT = "data/schemas/extensions/aws_lambda_function"

# CloudFormation's inline source (Code.ZipFile as text) is not the API's base64 zip.
SKIP = {
    "zipfile_runtime_enum.json": "CloudFormation inline source only (the API's Code.ZipFile is a base64 zip)",
    "zipfile_runtime_exists.json": "CloudFormation inline source only (the API's Code.ZipFile is a base64 zip)",
}


def die(msg):
    print("error: " + msg, file=sys.stderr)
    sys.exit(1)


def model_paths(model_file):
    paths = []
    for line in open(model_file, encoding="utf-8"):
        m = re.match(r'^path = "(.*)"$', line.strip())
        if m:
            paths.append(m.group(1))
    return set(paths)


def rule_sources(package):
    """filename -> (rule id, shortdesc, keyword path under Properties) from cfnlint/rules/resources/lmbd."""
    out = {}
    rules_dir = os.path.join(package, "rules", "resources", "lmbd")
    for name in sorted(os.listdir(rules_dir)):
        if not name.endswith(".py"):
            continue
        text = open(os.path.join(rules_dir, name), encoding="utf-8").read()
        files = re.findall(r'"([a-z_]+\.json)"', text)
        rid = re.search(r'^\s*id = "(\w+)"', text, re.M)
        desc = re.search(r'^\s*shortdesc = "([^"]*)"', text, re.M)
        kw = re.search(r'"Resources/AWS::Lambda::Function/Properties([^"]*)"', text)
        for f in files:
            out[f] = (
                rid.group(1) if rid else "?",
                desc.group(1) if desc else "",
                kw.group(1) if kw else None,
            )
    return out


def keyword_path(kw):
    """'/Environment/Variables' -> 'Environment.Variables'; '/Layers/*' -> 'Layers[]'; '' -> ''."""
    parts = [p for p in kw.split("/") if p]
    path = ""
    for p in parts:
        if p == "*":
            path += "[]"
        else:
            path = p if not path else path + "." + p
    return path


def condition(schema):
    """The `if` of an if/then schema as (member, key, value)."""
    if set(schema) == {"not"} and set(schema["not"]) == {"required"} and len(schema["not"]["required"]) == 1:
        return (schema["not"]["required"][0], "present", False)
    if set(schema) == {"properties", "required"} and len(schema["properties"]) == 1:
        (name, sub), = schema["properties"].items()
        if schema["required"] != [name]:
            die("unknown `if` shape: %s" % json.dumps(schema))
        if set(sub) == {"const"}:
            return (name, "equals", sub["const"])
        if set(sub) == {"properties", "required"}:
            member, key, value = condition(sub)
            return (name + "." + member, key, value)
    die("unknown `if` shape: %s" % json.dumps(schema))


def consequences(schema, cond_member):
    """The `then` of an if/then schema as [(path, kind, extra)]."""
    out = []
    for key, sub in sorted(schema.items()):
        if key == "properties":
            for name, inner in sorted(sub.items()):
                if inner is False:
                    out.append((name, "absent", {}))
                elif set(inner) == {"maximum"}:
                    out.append((name, "max", {"max": inner["maximum"]}))
                elif set(inner) == {"properties"}:
                    for path, kind, extra in consequences(inner, cond_member):
                        out.append((name + "." + path, kind, extra))
                else:
                    die("unknown `then` shape: %s" % json.dumps(inner))
        elif key == "dependentExcluded":
            for dep, excluded in sorted(sub.items()):
                if dep != cond_member:
                    die("dependentExcluded on %s, not the condition's member %s" % (dep, cond_member))
                for name in excluded:
                    out.append((name, "absent", {}))
        else:
            die("unknown `then` keyword: %s" % key)
    return out


def slug(text):
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text).lower().replace(".", "_")


def toml_str(s):
    return json.dumps(s, ensure_ascii=False)


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return toml_str(v)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--package", required=True)
    ap.add_argument("--version", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    known = model_paths(args.model)
    sources = rule_sources(args.package)
    ext = os.path.join(args.package, EXT)
    rows = []
    skipped = []
    for name in sorted(os.listdir(ext)):
        if not name.endswith(".json"):
            continue
        if name in SKIP:
            skipped.append((name, SKIP[name]))
            continue
        schema = json.load(open(os.path.join(ext, name), encoding="utf-8"))
        rid, desc, kw = sources.get(name, ("?", "", None))
        if kw is None:
            die("%s: no AWS::Lambda::Function rule names it" % name)
        base = keyword_path(kw)
        where = "cfn-lint %s %s/%s (%s %r)" % (args.version, EXT.replace("data/", "cfnlint/data/"), name, rid, desc)
        found = []
        if set(schema) == {"pattern"}:
            m = re.fullmatch(r"\^\(\?!(.*)\)", schema["pattern"])
            if not m:
                die("%s: unknown pattern shape %s" % (name, schema["pattern"]))
            found.append((base, "not_pattern", {"pattern": m.group(1) + ".*", "id": name[: -len(".json")]}, None,
                          "pattern %s" % schema["pattern"]))
        elif set(schema) == {"propertyNames"} and set(schema["propertyNames"]) == {"not"} \
                and set(schema["propertyNames"]["not"]) == {"enum"}:
            values = schema["propertyNames"]["not"]["enum"]
            found.append((base + "{key}", "not_in", {"values": values, "id": "reserved"}, None,
                          "propertyNames not enum [%s, … %d names]" % (", ".join(values[:2]), len(values))))
        elif set(schema) == {"if", "then"}:
            member, key, value = condition(schema["if"])
            member = (base + "." + member) if base else member
            quote_if = "%s %s" % (member, {"present": "absent" if value is False else "present",
                                            "equals": "= %s" % json.dumps(value)}[key])
            for path, kind, extra in consequences(schema["then"], member.split(".")[-1] if base else member):
                path = (base + "." + path) if base else path
                extra = dict(extra)
                if kind == "absent":
                    extra["id"] = "not_allowed_when_%s_%s" % (slug(member.split(".")[-1]), slug(str(value)))
                    quote = "if %s then %s excluded" % (quote_if, path)
                else:
                    extra["id"] = "above_max_without_%s" % slug(member) if key == "present" and value is False \
                        else "above_max_when_%s" % slug(member)
                    quote = "if %s then %s maximum %s" % (quote_if, path, extra["max"])
                found.append((path, kind, extra, (member, key, value), quote))
        else:
            die("%s: unknown schema shape %s" % (name, json.dumps(schema)[:200]))
        for path, kind, extra, cond, quote in found:
            needed = [path] + ([cond[0]] if cond else [])
            missing = [p for p in needed if p not in known]
            if missing:
                skipped.append((name, "the model has no %s" % ", ".join(missing)))
                continue
            rows.append((path, kind, extra, cond, "%s: %s" % (where, quote)))

    lines = [
        "# generated by `make spec` (scripts/spec.sh → scripts/cfn-lint-rules.py) from cfn-lint's",
        "# AWS::Lambda::Function schema extensions; do not edit. These are AWS-maintained rules the API model",
        "# lacks (source = \"doc\"); how AWS words each rejection is not in cfn-lint: overlay.toml gives each",
        "# rule its answer and says where that wording comes from (`message_source`).",
        "# source: cfn-lint %s, %s/" % (args.version, EXT.replace("data/", "cfnlint/data/")),
    ]
    for name, why in skipped:
        lines.append("# skipped %s: %s" % (name, why))
    lines += [
        "",
        "[source]",
        'kind = "cfn-lint"',
        "version = %s" % toml_str(args.version),
        "directory = %s" % toml_str(EXT.replace("data/", "cfnlint/data/")),
    ]
    for path, kind, extra, cond, evidence in sorted(rows, key=lambda r: (r[0], r[2]["id"])):
        lines += ["", "[[rule]]", "path = %s" % toml_str(path), "kind = %s" % toml_str(kind),
                  "id = %s" % toml_str(extra["id"])]
        if cond:
            member, key, value = cond
            lines.append("when_request = { member = %s, %s = %s }" % (toml_str(member), key, toml_value(value)))
        if "max" in extra:
            lines.append("max = %s" % toml_value(extra["max"]))
        if "pattern" in extra:
            lines.append("pattern = '%s'" % extra["pattern"])
        if "values" in extra:
            lines.append("values = %s" % toml_value(extra["values"]))
        lines.append('source = "doc"')
        lines.append("evidence = %s" % toml_str(evidence))
    with open(args.out, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print("%s: cfn-lint %s, %d rules, %d skipped" % (args.out, args.version, len(rows), len(skipped)),
          file=sys.stderr)


if __name__ == "__main__":
    main()
