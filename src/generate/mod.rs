//! Case classes read off a [`Spec`](crate::spec::Spec), and proptest strategies that make their requests.
//!
//! A case class has a stable id (`create_function::memory_size::above_max`) and makes requests that
//! break exactly the constraint it names (or none, for the valid classes), so the expected answer is
//! determined by the table. No member name appears in this code: everything comes from the table.

mod case;
pub(crate) mod cases;
mod charset;
pub(crate) mod context;
pub mod par;
mod rng;
mod string_plan;
pub mod strings;
pub(crate) mod text;
pub mod values;
mod violations;
mod wire;

pub use case::{member_id, Case, CaseKind, ExportLine, Instance};
pub use cases::{cases, classes, mark_added_resources};
pub use context::{empty_zip, handler_zip, handler_zip_of, make_table_zips, Context};
