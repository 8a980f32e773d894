//! A valid string for a member, with what the table says about it read once: a list of 1 500
//! items asks for 1 500 strings of the same member, and its bounds, pattern lengths and enum do not
//! change from one to the next.

use serde_json::Value;

use super::strings::Rng;
use super::text::{pattern_lengths, shortest_in_place, string_in_place};
use super::values::{bounds, enum_values, tighter, Aim};
use super::Context;
use crate::spec::{Member, Spec};

/// How a valid string of one member is drawn, worked out from the table and the context.
pub enum StringPlan {
    /// A fresh function name (a member naming the function, aimed anywhere).
    Name,
    /// The base request's value.
    Base(Value),
    /// One of the member's enum values.
    Enum(Vec<String>),
    /// Text of a drawn or bounding length.
    Text(TextPlan),
}

/// The lengths a string of a member may take, and where its draw aims.
pub struct TextPlan {
    aim: Aim,
    /// The table's bounds (the upper one narrowed by conditional maxima).
    lo: usize,
    hi: Option<f64>,
    /// The longest the pattern allows.
    phi: Option<usize>,
    /// The longest allowed at all.
    cap: usize,
    /// The shortest length a drawn string can take (in the call's region and account).
    shortest: usize,
}

impl StringPlan {
    /// The plan for `member` aimed at `aim`.
    pub fn of(spec: &Spec, ctx: &Context, member: &Member, aim: Aim) -> Self {
        if member.walk.names_function && aim == Aim::Any {
            return StringPlan::Name;
        }
        if aim == Aim::Any {
            if let Some(base) = ctx.base_value(spec, member) {
                return StringPlan::Base(base);
            }
        }
        Self::drawn(ctx, member, aim)
    }

    /// The plan for `member` that draws its strings whether or not the base request sets it (what
    /// `valid::<member>` needs to send something other than the base request's value).
    pub fn drawn(ctx: &Context, member: &Member, aim: Aim) -> Self {
        if let Some(values) = enum_values(member) {
            return StringPlan::Enum(values);
        }
        let (lo, hi) = bounds(member, "length");
        let lo = lo.unwrap_or(0.0) as usize;
        let hi = tighter(member, hi);
        // The pattern may need more characters than the length bound asks for (ARNs).
        let (plo, phi) = pattern_lengths(member);
        let cap = [hi.map(|h| h as usize), phi]
            .into_iter()
            .flatten()
            .fold(usize::MAX, usize::min);
        // Shorter strings than this exist, but none placed in the call's region and account
        // (only a drawn length needs it: Min and Max are the table's own bounds).
        let shortest = if aim == Aim::Any {
            shortest_in_place(member, ctx, lo.max(plo).max(1), cap)
        } else {
            lo.max(plo).max(1)
        };
        StringPlan::Text(TextPlan {
            aim,
            lo,
            hi,
            phi,
            cap,
            shortest,
        })
    }

    /// One string of `member` (the member the plan was made for).
    pub fn draw(&self, ctx: &Context, member: &Member, rng: &mut Rng) -> Option<Value> {
        let t = match self {
            StringPlan::Name => return Some(Value::String(ctx.fresh_name(rng))),
            StringPlan::Base(v) => return Some(v.clone()),
            StringPlan::Enum(values) => return rng.pick(values).map(|v| Value::String(v.clone())),
            StringPlan::Text(t) => t,
        };
        let n = match t.aim {
            Aim::Min => t.lo,
            Aim::Max => t.hi? as usize,
            Aim::Any => {
                let from = t.shortest;
                let mut top = from + 24;
                if let Some(h) = t.hi {
                    top = top.min(h as usize);
                }
                if let Some(h) = t.phi {
                    top = top.min(h);
                }
                rng.range(from.min(top) as u64, top as u64) as usize
            }
        };
        if member.walk.names_function {
            return Some(Value::String(ctx.name_of_length(n, rng)?));
        }
        if t.aim == Aim::Any {
            // Another length when this one only allows refused forms.
            let from = t.shortest;
            let top = t.cap.min(from + 24);
            let mut n = n;
            for k in 1..=12 {
                if let Some(s) = string_in_place(member, ctx, n, rng) {
                    return Some(Value::String(s));
                }
                // Widen the range as draws fail: a region put in place can make an ARN longer.
                let top = (top + 8 * k).min(t.cap).max(from.min(top));
                n = rng.range(from.min(top) as u64, top as u64) as usize;
            }
            return None;
        }
        string_in_place(member, ctx, n, rng).map(Value::String)
    }
}
