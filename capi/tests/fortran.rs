//! The Fortran module `include/losskit.f90` and the Fortran test program.
//!
//! The module is generated from `include/losskit.h` (cbindgen's output) by the code below:
//! every `#define LK_*` becomes a parameter, every struct a `bind(C)` derived type, every
//! prototype a `bind(C)` interface, and every f32/f64 pair a generic name. Regenerate it with
//! `LOSSKIT_BLESS=1 cargo test -p losskit-capi --test fortran` after the header changes;
//! without LOSSKIT_BLESS the test fails when the committed module is stale.
//!
//! How arguments are bound (written again at the top of the module for its readers):
//! * scalars: by value, with the iso_c_binding kind of their C type;
//! * `const T *x` / `T *x` (numbers, characters): assumed-size arrays `x(*)`, `intent(in)`
//!   for `const`;
//! * optional pointers, decided by name (see [`nullable`]): `type(c_ptr), value`, so that a
//!   caller passes `c_null_ptr` or `c_loc(x)`;
//! * pointers to structs: the derived type by reference (`intent(in)` for `const`), or an
//!   assumed-size array `x(*)` of it when a parameter `n_x` counts them;
//! * `void *`, pointers to pointers, pointers to opaque structs: `type(c_ptr)`;
//! * a return of `const char *`: `type(c_ptr)` (lkf_string converts it).
//!
//! Other checks here, each independent of the generator: every prototype of the header has
//! an interface in the committed module (a plain scan); gfortran's own C rendering of the
//! module (`-fc-prototypes`) agrees with the header, argument by argument and field by field;
//! every parameter the header documents as "may be NULL" is bound as `type(c_ptr)`; and the
//! Fortran test program (tests/fortran/) is compiled with `-std=f2008 -Wall -Werror
//! -fcheck=all`, linked to liblosskit.a, and run.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::process::Command;
use support::*;

const MODULE_PATH: &str = "include/losskit.f90";
const BLESS: &str = "LOSSKIT_BLESS=1 cargo test -p losskit-capi --test fortran";

// ---------------------------------------------------------------------------------------
// The header, as cbindgen writes it.
// ---------------------------------------------------------------------------------------

/// A C type: `const? base *...`, with an optional array length (struct fields).
#[derive(Clone, Debug, PartialEq)]
struct CType {
    base: String,
    const_pointee: bool,
    pointers: usize,
    array: Option<String>,
}

#[derive(Clone, Debug)]
struct Define {
    name: String,
    value: String,
    doc: Vec<String>,
}

#[derive(Clone, Debug)]
struct Field {
    ty: CType,
    name: String,
    doc: Vec<String>,
}

#[derive(Clone, Debug)]
struct Struct {
    name: String,
    fields: Vec<Field>,
    doc: Vec<String>,
}

#[derive(Clone, Debug)]
struct Param {
    ty: CType,
    name: String,
}

#[derive(Clone, Debug)]
struct Function {
    ret: CType,
    name: String,
    params: Vec<Param>,
    doc: Vec<String>,
}

#[derive(Default, Debug)]
struct Header {
    defines: Vec<Define>,
    structs: Vec<Struct>,
    /// `typedef <scalar> name;` and enum typedefs: name -> C scalar type.
    aliases: BTreeMap<String, String>,
    /// `typedef struct x x;` without a body.
    opaque: BTreeSet<String>,
    functions: Vec<Function>,
    /// All comment text of the header, for the documentation checks.
    comments: Vec<String>,
}

/// Splits `const float *pred` into its type and name (`name[N]` gives an array).
fn parse_decl(decl: &str) -> (CType, String) {
    let spaced = decl.replace('*', " * ");
    let mut tokens: Vec<&str> = spaced.split_whitespace().collect();
    let last = tokens
        .pop()
        .unwrap_or_else(|| panic!("empty declaration `{decl}`"));
    let (name, array) = match last.split_once('[') {
        Some((n, rest)) => (
            n.to_string(),
            Some(rest.trim_end_matches(']').trim().to_string()),
        ),
        None => (last.to_string(), None),
    };
    assert!(
        is_identifier(&name),
        "cannot read the declaration `{decl}`: `{name}` is not a name; teach capi/tests/fortran.rs"
    );
    let first_star = tokens
        .iter()
        .position(|t| *t == "*")
        .unwrap_or(tokens.len());
    let const_pointee = tokens[..first_star].contains(&"const");
    let pointers = tokens.iter().filter(|t| **t == "*").count();
    let base: Vec<&str> = tokens
        .iter()
        .copied()
        .filter(|t| *t != "*" && *t != "const")
        .collect();
    assert!(!base.is_empty(), "no type in the declaration `{decl}`");
    (
        CType {
            base: base.join(" "),
            const_pointee: const_pointee && pointers > 0,
            pointers,
            array,
        },
        name,
    )
}

fn is_identifier(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some(ch) if ch.is_ascii_alphabetic() || ch == '_')
        && c.all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
}

fn parse_header(text: &str) -> Header {
    let mut h = Header::default();
    let mut doc: Vec<String> = Vec::new();
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    let unknown = |i: usize, line: &str| -> ! {
        panic!(
            "include/losskit.h line {}: cannot read `{line}`; teach parse_header in capi/tests/fortran.rs",
            i + 1
        )
    };
    while i < lines.len() {
        let line = lines[i].trim();
        i += 1;
        if line.is_empty() {
            doc.clear();
        } else if let Some(c) = line.strip_prefix("//") {
            let c = c.strip_prefix(' ').unwrap_or(c).to_string();
            h.comments.push(c.clone());
            doc.push(c);
        } else if line.starts_with("/*") {
            // A block comment (the file header, the autogen warning).
            let mut l = line;
            while !l.contains("*/") {
                h.comments.push(l.to_string());
                l = lines.get(i).unwrap_or_else(|| unknown(i, line)).trim();
                i += 1;
            }
            h.comments.push(l.to_string());
            doc.clear();
        } else if let Some(rest) = line.strip_prefix("#define ") {
            let mut parts = rest.splitn(2, char::is_whitespace);
            let name = parts.next().unwrap().to_string();
            if let Some(value) = parts.next() {
                h.defines.push(Define {
                    name,
                    value: value.trim().to_string(),
                    doc: std::mem::take(&mut doc),
                });
            } // else: the include guard
        } else if line.starts_with('#') || line == "extern \"C\" {" || line.starts_with('}') {
            // #ifndef/#endif/#include/#ifdef, and the extern "C" braces.
            doc.clear();
        } else if line.starts_with("typedef struct") && line.ends_with('{') {
            let sdoc = std::mem::take(&mut doc);
            let mut fields = Vec::new();
            let mut fdoc = Vec::new();
            loop {
                let l = lines.get(i).unwrap_or_else(|| unknown(i, line)).trim();
                i += 1;
                if let Some(c) = l.strip_prefix("//") {
                    let c = c.strip_prefix(' ').unwrap_or(c).to_string();
                    h.comments.push(c.clone());
                    fdoc.push(c);
                } else if let Some(name) = l.strip_prefix('}') {
                    let name = name.trim().trim_end_matches(';').trim().to_string();
                    h.structs.push(Struct {
                        name,
                        fields,
                        doc: sdoc,
                    });
                    break;
                } else if let Some(decl) = l.strip_suffix(';') {
                    let (ty, name) = parse_decl(decl);
                    fields.push(Field {
                        ty,
                        name,
                        doc: std::mem::take(&mut fdoc),
                    });
                } else if !l.is_empty() {
                    unknown(i - 1, l);
                }
            }
        } else if line.starts_with("typedef enum")
            || (line.starts_with("enum") && line.ends_with('{'))
        {
            // Enumerators become constants of type int; a named enum type is an int.
            let edoc = std::mem::take(&mut doc);
            let mut next: i64 = 0;
            let mut cdoc = Vec::new();
            loop {
                let l = lines.get(i).unwrap_or_else(|| unknown(i, line)).trim();
                i += 1;
                if let Some(c) = l.strip_prefix("//") {
                    cdoc.push(c.trim().to_string());
                } else if let Some(name) = l.strip_prefix('}') {
                    let name = name.trim().trim_end_matches(';').trim();
                    if !name.is_empty() {
                        h.aliases.insert(name.to_string(), "int".to_string());
                    }
                    break;
                } else if !l.is_empty() {
                    let item = l.trim_end_matches(',');
                    let (name, value) = match item.split_once('=') {
                        Some((n, v)) => {
                            let v = v.trim();
                            next = parse_c_int(v).unwrap_or_else(|| unknown(i - 1, l));
                            (n.trim(), v.to_string())
                        }
                        None => (item.trim(), next.to_string()),
                    };
                    next += 1;
                    let mut d = edoc.clone();
                    d.append(&mut cdoc);
                    h.defines.push(Define {
                        name: name.to_string(),
                        value,
                        doc: d,
                    });
                }
            }
        } else if let Some(rest) = line.strip_prefix("typedef ") {
            let decl = rest
                .strip_suffix(';')
                .unwrap_or_else(|| unknown(i - 1, line));
            let (ty, name) = parse_decl(decl);
            if ty.base.starts_with("struct ") && ty.pointers == 0 {
                h.opaque.insert(name);
            } else if ty.pointers == 0 && ty.array.is_none() {
                h.aliases.insert(name, ty.base);
            } else {
                unknown(i - 1, line);
            }
            doc.clear();
        } else if line.contains('(') {
            let mut proto = line.to_string();
            while !proto.ends_with(';') {
                let l = lines.get(i).unwrap_or_else(|| unknown(i, line)).trim();
                i += 1;
                proto.push(' ');
                proto.push_str(l);
            }
            let (head, args) = proto
                .strip_suffix(");")
                .and_then(|p| p.split_once('('))
                .unwrap_or_else(|| unknown(i - 1, &proto));
            let (ret, name) = parse_decl(head);
            let params = if args.trim() == "void" || args.trim().is_empty() {
                Vec::new()
            } else {
                args.split(',')
                    .map(|a| {
                        let (ty, name) = parse_decl(a.trim());
                        Param { ty, name }
                    })
                    .collect()
            };
            h.functions.push(Function {
                ret,
                name,
                params,
                doc: std::mem::take(&mut doc),
            });
        } else {
            unknown(i - 1, line);
        }
    }
    h
}

fn parse_c_int(v: &str) -> Option<i64> {
    let v = v.trim_end_matches(['u', 'U', 'l', 'L']);
    let (neg, digits) = match v.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, v),
    };
    let x = if let Some(hex) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        i64::from_str_radix(hex, 16).ok()?
    } else {
        digits.parse::<i64>().ok()?
    };
    Some(if neg { -x } else { x })
}

// ---------------------------------------------------------------------------------------
// From C types to Fortran declarations.
// ---------------------------------------------------------------------------------------

/// Whether a pointer parameter is optional (bound as `type(c_ptr), value`, so that a
/// Fortran caller can pass `c_null_ptr`). The rule is by name, since C does not mark
/// nullable pointers: the names below, `grad_*`, `*_grad`, `*_weight(s)`, `*_mask`, and
/// `opt_*`. `nullable_parameters_are_pointers` checks the rule against the header's
/// documentation ("`x`: NULL, or ..."), so a new optional argument with another name
/// fails the tests instead of being bound as a required array.
fn nullable(name: &str) -> bool {
    // `theta`: the spectra fit's network weights, absent when the eddy lifetime is no network.
    // `prior_loc`/`prior_scale`: NULL for the standard normal prior; `factor_bias`: NULL
    // for a layer without bias.
    const NAMES: &[&str] = &[
        "weight",
        "weights",
        "mask",
        "grad",
        "partial",
        "theta",
        "prior_loc",
        "prior_scale",
        "factor_bias",
    ];
    // Required arrays whose names match the rules below: `factor_weight` is the covariance
    // factor of lk_vr_variance (never NULL; "weight" there means a layer's weights).
    const REQUIRED: &[&str] = &["factor_weight"];
    if REQUIRED.contains(&name) {
        return false;
    }
    NAMES.contains(&name)
        || name.starts_with("grad_")
        || name.ends_with("_grad")
        || name.ends_with("_weight")
        || name.ends_with("_weights")
        || name.ends_with("_mask")
        || name.starts_with("opt_")
}

/// Pointer parameters that the header documents as possibly NULL but that are bound as
/// arrays or by reference anyway, with the reason (checked by
/// `nullable_parameters_are_pointers`).
const NULL_ALLOWED_BUT_TYPED: &[(&str, &str)] = &[
    (
        "opts",
        "NULL means lk_options_default(); a Fortran caller passes lk_options_default()",
    ),
    (
        "buf",
        "NULL only with len = 0; a Fortran caller passes any buffer with len = 0",
    ),
    (
        "params",
        "NULL means lk_spectra_params_default(); a Fortran caller passes that",
    ),
];

/// The Fortran type and kind of a C scalar type, and the kind parameter it needs imported.
fn scalar(h: &Header, base: &str) -> Option<(String, &'static str)> {
    let resolved = h.aliases.get(base).map(String::as_str).unwrap_or(base);
    let (ty, kind): (&str, &'static str) = match resolved {
        "float" => ("real", "c_float"),
        "double" => ("real", "c_double"),
        "int8_t" | "uint8_t" | "signed char" | "unsigned char" => ("integer", "c_int8_t"),
        "int16_t" | "uint16_t" => ("integer", "c_int16_t"),
        "int32_t" | "uint32_t" => ("integer", "c_int32_t"),
        "int64_t" | "uint64_t" => ("integer", "c_int64_t"),
        "int" | "unsigned int" | "unsigned" => ("integer", "c_int"),
        "long" | "unsigned long" => ("integer", "c_long"),
        "long long" | "unsigned long long" => ("integer", "c_long_long"),
        "size_t" => ("integer", "c_size_t"),
        "ptrdiff_t" => ("integer", "c_ptrdiff_t"),
        "intptr_t" | "uintptr_t" => ("integer", "c_intptr_t"),
        "bool" | "_Bool" => ("logical", "c_bool"),
        "char" => ("character", "c_char"),
        _ => return None,
    };
    let decl = if ty == "character" {
        "character(kind=c_char)".to_string()
    } else {
        format!("{ty}({kind})")
    };
    Some((decl, kind))
}

/// A dummy argument: its declaration (without the name) and the names it needs imported.
struct Dummy {
    decl: String,
    /// `(*)` after the name.
    array: bool,
    imports: Vec<String>,
    /// The C type, for a comment.
    c: String,
}

fn c_text(t: &CType) -> String {
    let mut s = String::new();
    if t.const_pointee {
        s.push_str("const ");
    }
    s.push_str(&t.base);
    if t.pointers > 0 {
        s.push(' ');
        s.push_str(&"*".repeat(t.pointers));
    }
    s
}

fn is_struct(h: &Header, base: &str) -> bool {
    h.structs.iter().any(|s| s.name == base)
}

fn dummy(h: &Header, func: &Function, p: &Param) -> Dummy {
    let f = func.name.as_str();
    let t = &p.ty;
    let c = c_text(t);
    let cptr = |value: bool| Dummy {
        decl: if value {
            "type(c_ptr), value".into()
        } else {
            "type(c_ptr)".into()
        },
        array: false,
        imports: vec!["c_ptr".into()],
        c: c.clone(),
    };
    if t.pointers == 0 {
        if is_struct(h, &t.base) {
            return Dummy {
                decl: format!("type({}), value", t.base),
                array: false,
                imports: vec![t.base.clone()],
                c,
            };
        }
        let (decl, kind) = scalar(h, &t.base).unwrap_or_else(|| {
            panic!("{f}: no Fortran type for the C type `{c}` of `{}`; teach scalar() in capi/tests/fortran.rs", p.name)
        });
        return Dummy {
            decl: format!("{decl}, value"),
            array: false,
            imports: vec![kind.into()],
            c,
        };
    }
    if t.pointers >= 2 {
        // An array of pointers.
        let mut d = cptr(false);
        d.array = true;
        if t.const_pointee {
            d.decl.push_str(", intent(in)");
        }
        return d;
    }
    if t.base == "void" || h.opaque.contains(&t.base) || nullable(&p.name) {
        return cptr(true);
    }
    let intent = if t.const_pointee {
        "intent(in)"
    } else {
        "intent(inout)"
    };
    if is_struct(h, &t.base) {
        // `const lk_bounds_group_f64 *groups, size_t n_groups`: an array of structs, bound
        // as groups(*) so that a Fortran caller passes the whole array.
        let counted = func
            .params
            .iter()
            .any(|q| q.ty.pointers == 0 && q.name == format!("n_{}", p.name));
        return Dummy {
            decl: format!("type({}), {intent}", t.base),
            array: counted,
            imports: vec![t.base.clone()],
            c,
        };
    }
    let (decl, kind) = scalar(h, &t.base).unwrap_or_else(|| {
        panic!(
            "{f}: no Fortran type for the C type `{c}` of `{}`; teach dummy() in capi/tests/fortran.rs",
            p.name
        )
    });
    Dummy {
        decl: format!("{decl}, {intent}"),
        array: true,
        imports: vec![kind.into()],
        c,
    }
}

/// The declaration of a function result (None for void).
fn result(h: &Header, f: &Function) -> Option<(String, Vec<String>)> {
    let t = &f.ret;
    if t.pointers == 0 && t.base == "void" {
        return None;
    }
    if t.pointers > 0 {
        return Some(("type(c_ptr)".into(), vec!["c_ptr".into()]));
    }
    if is_struct(h, &t.base) {
        return Some((format!("type({})", t.base), vec![t.base.clone()]));
    }
    let (decl, kind) = scalar(h, &t.base).unwrap_or_else(|| {
        panic!(
            "{}: no Fortran type for the return type `{}`; teach result() in capi/tests/fortran.rs",
            f.name,
            c_text(t)
        )
    });
    Some((decl, vec![kind.into()]))
}

/// The component declaration of a struct field.
fn component(h: &Header, s: &str, fl: &Field) -> String {
    let t = &fl.ty;
    let decl = if t.pointers > 0 {
        "type(c_ptr)".to_string()
    } else if is_struct(h, &t.base) {
        format!("type({})", t.base)
    } else {
        scalar(h, &t.base)
            .unwrap_or_else(|| {
                panic!(
                    "{s}.{}: no Fortran type for `{}`; teach component() in capi/tests/fortran.rs",
                    fl.name,
                    c_text(t)
                )
            })
            .0
    };
    match &t.array {
        Some(n) => format!("{decl} :: {}({n})", fl.name),
        None => format!("{decl} :: {}", fl.name),
    }
}

/// A `#define` as a Fortran parameter.
fn parameter(d: &Define) -> String {
    let v = d.value.trim();
    let v = v
        .strip_prefix('(')
        .and_then(|x| x.strip_suffix(')'))
        .unwrap_or(v)
        .trim();
    if let Some(s) = v.strip_prefix('"').and_then(|x| x.strip_suffix('"')) {
        let s = s.replace('"', "\"\"");
        return format!("character(len=*), parameter :: {} = \"{s}\"", d.name);
    }
    if let Some(x) = parse_c_int(v) {
        let hex = v.trim_start_matches('-').starts_with("0x") || v.starts_with("0X");
        let kind = if i32::try_from(x).is_ok() {
            "c_int32_t"
        } else {
            "c_int64_t"
        };
        let value = if hex && x >= 0 {
            format!("int(z'{x:X}', {kind})")
        } else {
            format!("{x}_{kind}")
        };
        return format!("integer({kind}), parameter :: {} = {value}", d.name);
    }
    let (digits, kind) = match v.strip_suffix(['f', 'F']) {
        Some(x) => (x, "c_float"),
        None => (v, "c_double"),
    };
    let is_real = !digits.is_empty()
        && digits.parse::<f64>().is_ok()
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || ".eE+-".contains(c));
    assert!(
        is_real,
        "#define {} {}: no Fortran translation; teach parameter() in capi/tests/fortran.rs",
        d.name, d.value
    );
    let digits = if digits.contains(['.', 'e', 'E']) {
        digits.to_string()
    } else {
        format!("{digits}.0")
    };
    format!("real({kind}), parameter :: {} = {digits}_{kind}", d.name)
}

/// Appends `text` as `!` comments wrapped at 100 columns, indented by `indent`.
fn comment(out: &mut String, indent: &str, text: &[String]) {
    for line in text {
        if line.trim().is_empty() {
            let _ = writeln!(out, "{indent}!");
            continue;
        }
        let mut cur = String::new();
        for word in line.split_whitespace() {
            if !cur.is_empty() && indent.len() + 2 + cur.len() + 1 + word.len() > 100 {
                let _ = writeln!(out, "{indent}! {cur}");
                cur.clear();
            }
            if !cur.is_empty() {
                cur.push(' ');
            }
            cur.push_str(word);
        }
        let _ = writeln!(out, "{indent}! {cur}");
    }
}

/// `words` joined by ", " and wrapped with `&` continuation lines.
fn wrapped(first: &str, words: &[String], last: &str, indent: &str) -> String {
    let mut out = String::new();
    let mut line = format!("{indent}{first}");
    for (k, w) in words.iter().enumerate() {
        let piece = if k + 1 < words.len() {
            format!("{w}, ")
        } else {
            w.clone()
        };
        if line.len() + piece.len() > 90 {
            out.push_str(line.trim_end());
            out.push_str(" &\n");
            line = format!("{indent}    {piece}");
        } else {
            line.push_str(&piece);
        }
    }
    if line.len() + last.len() > 100 {
        out.push_str(&line);
        out.push_str(" &\n");
        line = format!("{indent}    ");
    }
    line.push_str(last);
    out.push_str(&line);
    out
}

const PREAMBLE: &str = r#"! losskit: the Fortran 2003 interface to the losskit C library (include/losskit.h).
!
! Generated from include/losskit.h by capi/tests/fortran.rs; do not edit. Regenerate with:
!   LOSSKIT_BLESS=1 cargo test -p losskit-capi --test fortran
!
! Build: compile this file with your sources (it makes losskit.mod) and link liblosskit.a
! (plus -lpthread -ldl -lm) or liblosskit.so:
!   gfortran -c losskit.f90 && gfortran app.f90 losskit.o liblosskit.a -lpthread -ldl -lm
!
! Calling conventions
! * Every lk_ function returns an integer(c_int32_t) status: LK_OK (0) or an LK_ERR_*
!   code. lkf_status_name(st) names it; lkf_last_error() describes the calling thread's
!   last failure. Outputs are written only when the status is LK_OK.
! * Arrays are assumed-size dummies, x(*): pass the array (or its first element). A single
!   output value still needs an array: real(c_double) :: loss(1).
! * Optional pointers are type(c_ptr), value: pass c_null_ptr for "none", or c_loc(x) for
!   an array x that has the TARGET attribute. Optional are the arguments named weight,
!   weights, mask, grad, partial, grad_*, *_grad, *_weight(s), *_mask and opt_* (each
!   interface below says which), e.g.
!     st = lk_mse_f64(pred, target, c_null_ptr, n, opts, loss, c_loc(grad))
! * Structures (lk_options, ...) are derived types passed by reference: start from
!   opts = lk_options_default(), set fields, pass opts. Their pointer fields (mask,
!   partial) are type(c_ptr): c_loc(x) or c_null_ptr. A list of structures counted by a
!   parameter n_x (groups, n_groups) is an assumed-size array x(*) of the type.
! * Counts are integer(c_size_t) by value: pass int(n, c_size_t) or a c_size_t variable.
! * C's unsigned types (uint8_t, uint32_t, ...) map to the signed kinds of the same size:
!   the bits are the same; values above the signed range read as negative.
! * f32/f64 pairs also have a generic name without the suffix (lk_mse for lk_mse_f32 and
!   lk_mse_f64), resolved by the kind of the real arguments, unless that name is already
!   taken by a type (lk_property_loss) or the pair takes a string (lk_total_property_loss:
!   a string literal cannot select a generic's specific, whose name is a character array):
!   then only the specific names exist. Pass a string as 'name'//c_null_char. Fortran
!   picks a generic's specific by type, kind and rank, so a generic name takes 1-D arrays
!   only: pass 2-D data x(D, rows) to the specific name (lk_mse_f64), or, for an input,
!   reshape(x, [size(x)]).
! * The module re-exports iso_c_binding: `use losskit` is enough.
!
! Array layout: C's row-major [rows x classes] is Fortran's column-major x(classes, rows).
! Declare 2-D data with the fastest (class) index first, x(n_classes, n_rows), and pass x:
! the C element [r][c] is x(c+1, r+1). Data kept as y(n_rows, n_classes) must be passed as
! transpose(y) (a copy, or better, store it the other way round), and a gradient received
! for it transposed back. Class indices and offsets are 0-based on the C side.
module losskit
  use, intrinsic :: iso_c_binding
  implicit none
  public
  private :: lkf_strlen
"#;

const HELPERS: &str = r#"
  interface
    ! C's strlen, for lkf_string.
    function lkf_strlen(s) bind(C, name="strlen") result(res)
      import :: c_ptr, c_size_t
      type(c_ptr), value :: s
      integer(c_size_t) :: res
    end function lkf_strlen
  end interface

contains

  ! The Fortran string of a NUL-terminated C string (lk_version(), lk_status_name(...));
  ! '' for c_null_ptr.
  function lkf_string(p) result(s)
    type(c_ptr), intent(in) :: p
    character(len=:), allocatable :: s
    character(kind=c_char), pointer :: chars(:)
    integer :: i, n
    if (.not. c_associated(p)) then
      s = ''
      return
    end if
    n = int(lkf_strlen(p))
    call c_f_pointer(p, chars, [n])
    allocate(character(len=n) :: s)
    do i = 1, n
      s(i:i) = chars(i)
    end do
  end function lkf_string

  ! The name of a status code, e.g. 'LK_ERR_BAD_PARAMETER'.
  function lkf_status_name(status) result(s)
    integer(c_int32_t), intent(in) :: status
    character(len=:), allocatable :: s
    s = lkf_string(lk_status_name(status))
  end function lkf_status_name

  ! The library's version, e.g. '0.1.0'.
  function lkf_version() result(s)
    character(len=:), allocatable :: s
    s = lkf_string(lk_version())
  end function lkf_version

  ! The message of the calling thread's last failed call ('' if none failed).
  function lkf_last_error() result(s)
    character(len=:), allocatable :: s
    character(kind=c_char) :: buf(512)
    integer(c_size_t) :: n
    integer :: i
    n = lk_last_error_message(buf, int(size(buf), c_size_t))
    n = min(n, int(size(buf) - 1, c_size_t))
    allocate(character(len=n) :: s)
    do i = 1, int(n)
      s(i:i) = buf(i)
    end do
  end function lkf_last_error

end module losskit
"#;

/// Names the hand-written part of the module defines or uses from the header.
const HELPER_NAMES: &[&str] = &[
    "lkf_strlen",
    "lkf_string",
    "lkf_status_name",
    "lkf_version",
    "lkf_last_error",
];

fn generate(header: &str) -> String {
    let h = parse_header(header);
    let mut out = String::from(PREAMBLE);
    // Fortran names are case-insensitive and at most 63 characters long.
    let names: std::cell::RefCell<BTreeMap<String, String>> = Default::default();
    let claim = |name: &str, what: &str| {
        assert!(
            name.len() <= 63,
            "{what} `{name}` is longer than Fortran's 63 characters"
        );
        let prev = names
            .borrow_mut()
            .insert(name.to_ascii_lowercase(), format!("{what} {name}"));
        if let Some(prev) = prev {
            panic!("{what} `{name}` and {prev} are the same name in Fortran (case-insensitive)");
        }
    };
    for n in HELPER_NAMES {
        claim(n, "helper");
    }

    out.push_str("\n  ! ---- Constants ----\n");
    for d in &h.defines {
        claim(&d.name, "constant");
        out.push('\n');
        comment(&mut out, "  ", &d.doc);
        let _ = writeln!(out, "  {}", parameter(d));
    }

    out.push_str("\n  ! ---- Structures (bind(C) derived types) ----\n");
    for s in &h.structs {
        claim(&s.name, "type");
        out.push('\n');
        comment(&mut out, "  ", &s.doc);
        let _ = writeln!(out, "  type, bind(C) :: {}", s.name);
        for fl in &s.fields {
            comment(&mut out, "    ", &fl.doc);
            let _ = writeln!(out, "    {}", component(&h, &s.name, fl));
        }
        let _ = writeln!(out, "  end type {}", s.name);
    }

    out.push_str("\n  ! ---- Functions ----\n\n  interface\n");
    for f in &h.functions {
        claim(&f.name, "function");
        let kind = if result(&h, f).is_some() {
            "function"
        } else {
            "subroutine"
        };
        let mut imports: BTreeSet<String> = BTreeSet::new();
        let dummies: Vec<Dummy> = f.params.iter().map(|p| dummy(&h, f, p)).collect();
        for p in &f.params {
            assert!(
                p.name != "res" && p.name != f.name,
                "{}: a parameter named `{}` clashes with the generated code",
                f.name,
                p.name
            );
        }
        dummies
            .iter()
            .for_each(|d| imports.extend(d.imports.iter().cloned()));
        let res = result(&h, f);
        if let Some((_, imp)) = &res {
            imports.extend(imp.iter().cloned());
        }
        for p in &f.params {
            assert!(
                !imports.iter().any(|i| i.eq_ignore_ascii_case(&p.name)),
                "{}: the parameter `{}` has the name of an imported entity",
                f.name,
                p.name
            );
        }
        out.push('\n');
        comment(&mut out, "    ", &f.doc);
        let optional: Vec<&str> = f
            .params
            .iter()
            .zip(&dummies)
            .filter(|(p, d)| d.decl == "type(c_ptr), value" && p.ty.pointers > 0)
            .map(|(p, _)| p.name.as_str())
            .collect();
        if !optional.is_empty() {
            comment(
                &mut out,
                "    ",
                &[format!(
                    "Fortran: {} = c_null_ptr or c_loc(array).",
                    optional.join(", ")
                )],
            );
        }
        let args: Vec<String> = f.params.iter().map(|p| p.name.clone()).collect();
        let tail = match res {
            Some(_) => format!("bind(C, name=\"{}\") result(res)", f.name),
            None => format!("bind(C, name=\"{}\")", f.name),
        };
        let _ = writeln!(
            out,
            "{} &\n        {tail}",
            wrapped(&format!("{kind} {}(", f.name), &args, ")", "    ")
        );
        let imports: Vec<String> = imports.into_iter().collect();
        let _ = writeln!(out, "{}", wrapped("import :: ", &imports, "", "      "));
        for (p, d) in f.params.iter().zip(&dummies) {
            let arr = if d.array { "(*)" } else { "" };
            let _ = writeln!(out, "      {} :: {}{arr}  ! {}", d.decl, p.name, d.c);
        }
        if let Some((decl, _)) = res {
            let _ = writeln!(out, "      {decl} :: res  ! {}", c_text(&f.ret));
        }
        let _ = writeln!(out, "    end {kind} {}", f.name);
    }
    out.push_str("  end interface\n");

    // Generic names for the f32/f64 pairs, where the kinds tell them apart.
    let mut generics = String::new();
    for f in &h.functions {
        let Some(stem) = f.name.strip_suffix("_f32") else {
            continue;
        };
        let Some(g) = h.functions.iter().find(|g| g.name == format!("{stem}_f64")) else {
            continue;
        };
        let distinguishable = f.params.len() == g.params.len()
            && f.params.iter().zip(&g.params).any(|(a, b)| {
                let (da, db) = (dummy(&h, f, a), dummy(&h, g, b));
                a.name == b.name && !da.decl.starts_with("type(c_ptr)") && da.decl != db.decl
            });
        // A pair that takes a string (`const char *name`, bound as a character array) gets
        // no generic: Fortran picks a generic's specific by type, kind AND rank, so a string
        // literal ('total'//c_null_char, a scalar) would match neither specific, although
        // sequence association lets it stand for the array in a call of a specific name.
        let takes_string = f.params.iter().any(|p| {
            p.ty.pointers == 1
                && scalar(&h, &p.ty.base).is_some_and(|(d, _)| d.starts_with("character"))
        });
        // A stem that already names a type or constant (lk_property_loss is both a struct
        // and the stem of lk_property_loss_f32/_f64) gets no generic: Fortran names are one
        // namespace. The specific names stay available.
        if !distinguishable
            || takes_string
            || names.borrow().contains_key(&stem.to_ascii_lowercase())
        {
            continue;
        }
        claim(stem, "generic");
        let _ = writeln!(
            generics,
            "  interface {stem}\n    procedure :: {}, {}\n  end interface {stem}\n",
            f.name, g.name
        );
    }
    if !generics.is_empty() {
        out.push_str(
            "\n  ! ---- Generic names: the f32/f64 pair by the kind of the reals ----\n\n",
        );
        out.push_str(&generics);
    }
    out.push_str(HELPERS);
    out
}

fn header_text() -> String {
    std::fs::read_to_string(repo().join("include/losskit.h")).expect("include/losskit.h")
}

// ---------------------------------------------------------------------------------------
// Tests that need no tools.
// ---------------------------------------------------------------------------------------

/// The committed module; with LOSSKIT_BLESS set, first rewritten from the header (once per
/// test run, before any test reads it).
fn committed_module() -> String {
    static BLESSED: std::sync::Once = std::sync::Once::new();
    let path = repo().join(MODULE_PATH);
    if std::env::var_os("LOSSKIT_BLESS").is_some() {
        BLESSED.call_once(|| std::fs::write(&path, generate(&header_text())).unwrap());
    }
    std::fs::read_to_string(&path).unwrap_or_default()
}

#[test]
fn module_is_fresh() {
    let fresh = generate(&header_text());
    let committed = committed_module();
    if committed != fresh {
        let line = committed
            .lines()
            .zip(fresh.lines())
            .position(|(a, b)| a != b)
            .map_or(committed.lines().count().min(fresh.lines().count()), |k| k)
            + 1;
        panic!(
            "{MODULE_PATH} is stale (it differs from what include/losskit.h gives from line {line} on): regenerate it with `{BLESS}`"
        );
    }
}

/// A plain scan of the committed module, independent of the generator: every prototype of
/// the header has a `bind(C, name="...")` interface with the same arguments in the same
/// order, and the module declares nothing the header lacks.
#[test]
fn every_header_function_has_an_interface() {
    let h = parse_header(&header_text());
    let module = committed_module();
    let mut bound: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let joined = module.replace("&\n", " ");
    for line in joined.lines() {
        let l = line.trim();
        let Some(pos) = l.find("bind(C, name=\"") else {
            continue;
        };
        let name = l[pos + 14..].split('"').next().unwrap().to_string();
        if name == "strlen" {
            continue;
        }
        let args = l
            .split_once('(')
            .and_then(|(_, r)| r.split_once(')'))
            .map(|(a, _)| a)
            .unwrap_or("");
        let args: Vec<String> = args
            .split(',')
            .map(|a| a.trim().to_string())
            .filter(|a| !a.is_empty())
            .collect();
        bound.insert(name, args);
    }
    let mut missing = Vec::new();
    for f in &h.functions {
        match bound.remove(&f.name) {
            None => missing.push(f.name.clone()),
            Some(args) => {
                let expected: Vec<String> = f.params.iter().map(|p| p.name.clone()).collect();
                assert_eq!(
                    args, expected,
                    "{}: the Fortran interface's arguments differ from the header's; regenerate with `{BLESS}`",
                    f.name
                );
            }
        }
    }
    assert!(
        missing.is_empty(),
        "no Fortran interface in {MODULE_PATH} for {missing:?}; regenerate it with `{BLESS}`"
    );
    assert!(
        bound.is_empty(),
        "{MODULE_PATH} binds functions the header lacks: {:?}; regenerate it with `{BLESS}`",
        bound.keys().collect::<Vec<_>>()
    );
    for d in &h.defines {
        assert!(
            module.contains(&format!("parameter :: {} = ", d.name)),
            "{MODULE_PATH} lacks the constant {}; regenerate it with `{BLESS}`",
            d.name
        );
    }
    for s in &h.structs {
        assert!(
            module.contains(&format!("type, bind(C) :: {}\n", s.name)),
            "{MODULE_PATH} lacks the type {}; regenerate it with `{BLESS}`",
            s.name
        );
    }
}

/// Every pointer parameter that the header documents as possibly NULL ("`x`: NULL, or",
/// "`x` may be NULL", "`x` (NULL ...") is bound as `type(c_ptr)` so that Fortran can pass
/// c_null_ptr, unless it is listed in NULL_ALLOWED_BUT_TYPED with a reason.
#[test]
fn nullable_parameters_are_pointers() {
    let h = parse_header(&header_text());
    let mut documented: BTreeSet<String> = BTreeSet::new();
    for c in &h.comments {
        let mut rest = c.as_str();
        while let Some(start) = rest.find('`') {
            let after = &rest[start + 1..];
            let Some(end) = after.find('`') else { break };
            let name = &after[..end];
            let tail = after[end + 1..].trim_start_matches([':', ' ']);
            let says_null = ["NULL", "(NULL", "may be NULL", "can be NULL", "or NULL"]
                .iter()
                .any(|p| tail.starts_with(p));
            if says_null && is_identifier(name) {
                documented.insert(name.to_string());
            }
            rest = &after[end + 1..];
        }
    }
    assert!(
        documented.contains("weight") && documented.contains("grad"),
        "the header's documentation no longer says that `weight` and `grad` may be NULL: update this test"
    );
    let exempt: BTreeSet<&str> = NULL_ALLOWED_BUT_TYPED.iter().map(|(n, _)| *n).collect();
    let mut wrong = Vec::new();
    for f in &h.functions {
        for p in &f.params {
            if p.ty.pointers == 1
                && documented.contains(&p.name)
                && !exempt.contains(p.name.as_str())
                && !dummy(&h, f, p).decl.starts_with("type(c_ptr)")
            {
                wrong.push(format!("{}({})", f.name, p.name));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "these parameters may be NULL (say the header's docs) but would be bound as Fortran arrays, \
         so a Fortran caller could not pass c_null_ptr: {wrong:?}. Add their names to nullable() \
         (or, with a reason, to NULL_ALLOWED_BUT_TYPED) in capi/tests/fortran.rs and regenerate with `{BLESS}`"
    );
}

/// Shapes the header does not have today but may grow: an enum, an opaque struct, array
/// and string fields, a void function, pointers to pointers, integer arrays, strings,
/// structs by value and by reference, hex and float constants, an f32/f64 pair. The
/// generated module must say the expected things and (with gfortran) compile cleanly.
#[test]
fn generator_handles_shapes_the_header_may_grow() {
    let header = r#"
// A flag.
#define LK_FLAG 0x10
#define LK_BIG 5000000000
#define LK_EPS 1e-7
#define LK_HALF 0.5f
#define LK_NAME "losskit"
enum lk_kind {
  LK_KIND_A = 3,
  LK_KIND_B,
};
typedef int32_t lk_kind;
typedef int32_t lk_status;
typedef struct lk_ctx lk_ctx;
typedef struct {
  // Three numbers.
  double xyz[3];
  char label[16];
  const lk_ctx *ctx;
  bool on;
} lk_triple;
void lk_reset(lk_ctx *ctx);
int64_t lk_count(const int64_t *labels,
                 size_t n,
                 lk_kind kind,
                 const float *const *rows,
                 lk_triple t,
                 lk_triple *out_t,
                 float *grad_logits);
lk_status lk_many(const lk_triple *items, size_t n_items, lk_triple *one);
lk_status lk_term_f32(const float *x,
                      const size_t *offsets,
                      float *out);
lk_status lk_term_f64(const double *x,
                      const size_t *offsets,
                      double *out);
lk_status lk_named_f32(const char *name,
                       const float *x);
lk_status lk_named_f64(const char *name,
                       const double *x);
const char *lk_version(void);
const char *lk_status_name(lk_status status);
size_t lk_last_error_message(char *buf,
                             size_t len);
"#;
    let m = generate(header);
    for want in [
        "integer(c_int32_t), parameter :: LK_FLAG = int(z'10', c_int32_t)",
        "integer(c_int64_t), parameter :: LK_BIG = 5000000000_c_int64_t",
        "real(c_double), parameter :: LK_EPS = 1e-7_c_double",
        "real(c_float), parameter :: LK_HALF = 0.5_c_float",
        "character(len=*), parameter :: LK_NAME = \"losskit\"",
        "integer(c_int32_t), parameter :: LK_KIND_A = 3_c_int32_t",
        "integer(c_int32_t), parameter :: LK_KIND_B = 4_c_int32_t",
        "real(c_double) :: xyz(3)",
        "character(kind=c_char) :: label(16)",
        "type(c_ptr) :: ctx",
        "logical(c_bool) :: on",
        "subroutine lk_reset(ctx) &\n        bind(C, name=\"lk_reset\")",
        "type(c_ptr), value :: ctx  ! lk_ctx *",
        "integer(c_int64_t), intent(in) :: labels(*)",
        "integer(c_int32_t), value :: kind  ! lk_kind",
        "type(c_ptr), intent(in) :: rows(*)",
        "type(lk_triple), value :: t",
        "type(lk_triple), intent(inout) :: out_t",
        "type(lk_triple), intent(in) :: items(*)",
        "type(lk_triple), intent(inout) :: one  ! lk_triple *",
        "type(c_ptr), value :: grad_logits",
        "integer(c_int64_t) :: res",
        "character(kind=c_char), intent(in) :: name(*)",
        "integer(c_size_t), intent(in) :: offsets(*)",
        "interface lk_term\n    procedure :: lk_term_f32, lk_term_f64",
    ] {
        assert!(m.contains(want), "generated module lacks `{want}`:\n{m}");
    }
    assert!(
        !m.contains("interface lk_named"),
        "a pair that takes a string must get no generic name:\n{m}"
    );
    let Some(gfortran) = tool("gfortran", "generator_handles_shapes_the_header_may_grow") else {
        return;
    };
    let dir = std::env::temp_dir().join(format!("losskit-shapes-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("shapes.f90"), &m).unwrap();
    let compiled = run(
        Command::new(gfortran).current_dir(&dir).args([
            "-std=f2008",
            "-Wall",
            "-Werror",
            "-fsyntax-only",
            "shapes.f90",
        ]),
        "gfortran on a module generated from a made-up header",
        120,
    );
    drop(compiled);
    let _ = std::fs::remove_dir_all(&dir);
}

// ---------------------------------------------------------------------------------------
// Tests with gfortran.
// ---------------------------------------------------------------------------------------

/// One C type as gfortran's `-fc-prototypes` or the header writes it, reduced to what
/// the ABI sees: pointer or not (and to what), and the scalar's size and class.
fn abi_class(h: &Header, c: &str, from_gfortran: bool) -> String {
    let (t, _) = parse_decl(&format!("{c} x"));
    let base = h.aliases.get(&t.base).cloned().unwrap_or(t.base.clone());
    let scalar = match base.as_str() {
        "float" => "f32",
        "double" => "f64",
        "int8_t" | "uint8_t" | "signed char" | "unsigned char" | "char" => "i8",
        "int16_t" | "uint16_t" | "short" => "i16",
        "int32_t" | "uint32_t" | "int" | "unsigned int" => "i32",
        "int64_t" | "uint64_t" | "size_t" | "long" | "unsigned long" | "long long"
        | "ptrdiff_t" | "intptr_t" | "uintptr_t" => "i64",
        "bool" | "_Bool" => "bool",
        "void" => "void",
        other if is_struct(h, other) => other,
        other if h.opaque.contains(other) => "opaque",
        other if from_gfortran => panic!("gfortran wrote an unknown C type `{other}`"),
        other => panic!("unknown C type `{other}` in the header"),
    };
    match t.pointers {
        0 => scalar.to_string(),
        n => format!(
            "{}{scalar}{}",
            if t.const_pointee { "const " } else { "" },
            "*".repeat(n)
        ),
    }
}

/// Whether a Fortran-side type (gfortran's rendering) may stand for a header type.
fn compatible(fortran: &str, header: &str) -> bool {
    if fortran == header {
        return true;
    }
    let strip = |s: &str| s.trim_start_matches("const ").to_string();
    if fortran.ends_with('*') && header.ends_with('*') {
        // `void *` (type(c_ptr), value) stands for any pointer. A const on the Fortran side
        // (intent(in)) must be const in the header: an output must not be intent(in).
        if fortran.starts_with("const ") && !header.starts_with("const ") {
            return false;
        }
        return strip(fortran) == "void*" || strip(fortran) == strip(header);
    }
    false
}

/// gfortran's `-fc-prototypes` renders the committed module back into C; each prototype
/// and struct must agree with the header (pointer or value, const-ness, sizes), so the
/// module binds what the library exports.
#[test]
fn gfortran_reads_the_module_as_the_header() {
    let Some(gfortran) = tool("gfortran", "gfortran_reads_the_module_as_the_header") else {
        return;
    };
    committed_module(); // written first under LOSSKIT_BLESS
    let dir = std::env::temp_dir().join(format!("losskit-fcproto-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (ok, out) = run_status(
        Command::new(gfortran)
            .current_dir(&dir)
            .args([
                "-std=f2008",
                "-Wall",
                "-Werror",
                "-fsyntax-only",
                "-fc-prototypes",
            ])
            .arg(repo().join(MODULE_PATH)),
        "gfortran -fc-prototypes",
        120,
    );
    let _ = std::fs::remove_dir_all(&dir);
    if !ok && out.stderr.contains("-fc-prototypes") && !require_all() {
        // gfortran before version 9.
        say("skipped: gfortran without -fc-prototypes (test gfortran_reads_the_module_as_the_header)");
        return;
    }
    assert!(ok, "gfortran -fc-prototypes failed:\n{}", out.stderr);
    let h = parse_header(&header_text());
    let protos = out.stdout;
    // Prototypes: `int lk_mse_f32 (const float *pred, ..., void *grad);`
    let mut seen = BTreeSet::new();
    for line in protos.lines() {
        let l = line.trim();
        if !l.ends_with(");") || !l.contains(" (") {
            continue;
        }
        let (head, args) = l.strip_suffix(");").unwrap().split_once(" (").unwrap();
        let (ret, name) = parse_decl(head);
        if name == "strlen" {
            continue;
        }
        let f = h
            .functions
            .iter()
            .find(|f| f.name == name)
            .unwrap_or_else(|| panic!("the module binds `{name}`, which the header lacks"));
        let fret = abi_class(&h, &c_text(&ret), true);
        let hret = abi_class(&h, &c_text(&f.ret), false);
        assert!(
            compatible(&fret, &hret),
            "{name}: returns {hret} in the header but {fret} in Fortran"
        );
        let args: Vec<&str> = if args.trim().is_empty() || args.trim() == "void" {
            vec![]
        } else {
            args.split(',').collect()
        };
        assert_eq!(
            args.len(),
            f.params.len(),
            "{name}: argument count differs between the module and the header"
        );
        for (a, p) in args.iter().zip(&f.params) {
            let (t, n) = parse_decl(a.trim());
            assert_eq!(n, p.name, "{name}: argument names differ");
            let fa = abi_class(&h, &c_text(&t), true);
            let ha = abi_class(&h, &c_text(&p.ty), false);
            assert!(
                compatible(&fa, &ha),
                "{name}({n}): `{}` in the header, but the Fortran interface passes `{}` ({fa} vs {ha})",
                c_text(&p.ty),
                c_text(&t)
            );
        }
        seen.insert(name);
    }
    for f in &h.functions {
        assert!(
            seen.contains(&f.name),
            "gfortran saw no interface for {}",
            f.name
        );
    }
    // Structs: `typedef struct lk_options { int32_t reduction; ... } lk_options;`
    for s in &h.structs {
        let start = protos
            .find(&format!("typedef struct {} {{", s.name))
            .unwrap_or_else(|| panic!("gfortran rendered no struct {}", s.name));
        let body = &protos[start..];
        let body = &body[body.find('{').unwrap() + 1..body.find('}').unwrap()];
        let fields: Vec<(CType, String)> = body
            .split(';')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(parse_decl)
            .collect();
        assert_eq!(
            fields.len(),
            s.fields.len(),
            "{}: field count differs",
            s.name
        );
        for ((t, n), fl) in fields.iter().zip(&s.fields) {
            assert_eq!(n, &fl.name, "{}: field names differ", s.name);
            let fa = abi_class(&h, &c_text(t), true);
            let ha = abi_class(&h, &c_text(&fl.ty), false);
            let ok = compatible(&fa, &ha) || (fa == "void*" && ha.ends_with('*'));
            assert!(ok, "{}.{n}: {ha} in the header, {fa} in Fortran", s.name);
            // The header may size an array with a macro; gfortran prints the number.
            let resolve = |a: &Option<String>| {
                a.as_ref().map(|len| {
                    h.defines
                        .iter()
                        .find(|d| &d.name == len)
                        .map_or(len.clone(), |d| d.value.trim().to_string())
                })
            };
            assert_eq!(
                resolve(&t.array),
                resolve(&fl.ty.array),
                "{}.{n}: array lengths differ",
                s.name
            );
        }
    }
}

/// Every family of the C ABI (a file of capi/src) has a Fortran test file.
#[test]
fn every_family_has_a_fortran_test() {
    for family in families() {
        let file = repo().join(format!("tests/fortran/family_{family}.f90"));
        assert!(
            file.is_file(),
            "the C ABI family `{family}` (capi/src/{family}.rs) has no Fortran test: write {} \
             (copy tests/fortran/family_regression.f90: a module `family_{family}` with a \
             subroutine `run_{family}(t)`; the runner picks it up by its name), or, if that file is not a \
             family of losses, add it to INFRASTRUCTURE in capi/tests/support/mod.rs",
            file.display()
        );
    }
}

/// Compiles the module, tests/fortran/checks.f90, every tests/fortran/family_*.f90 and a
/// generated main program that calls `run_<family>` of each, with
/// `-std=f2008 -Wall -Werror -fcheck=all`, links liblosskit.a and runs it.
#[test]
fn fortran_program() {
    let Some(gfortran) = tool("gfortran", "fortran_program") else {
        return;
    };
    committed_module(); // written first under LOSSKIT_BLESS
    let lib = library();
    let dir = scratch("fortran");
    let families = files_like("tests/fortran", "family_", ".f90");
    assert!(!families.is_empty(), "no tests/fortran/family_*.f90");
    let mut main = String::from(
        "! Generated by capi/tests/fortran.rs: runs every tests/fortran/family_*.f90.\nprogram run_all\n",
    );
    let stems: Vec<String> = families
        .iter()
        .map(|p| {
            p.file_stem()
                .unwrap()
                .to_string_lossy()
                .trim_start_matches("family_")
                .to_string()
        })
        .collect();
    for s in &stems {
        let _ = writeln!(main, "  use family_{s}, only: run_{s}");
    }
    main.push_str("  use checks, only: checker, report\n  implicit none\n  type(checker) :: t\n");
    for s in &stems {
        let _ = writeln!(main, "  call run_{s}(t)");
    }
    main.push_str("  call report(t)\nend program run_all\n");
    std::fs::write(dir.join("run_all.f90"), main).unwrap();

    let mut cmd = Command::new(gfortran);
    cmd.current_dir(&dir)
        .args(["-std=f2008", "-Wall", "-Werror", "-fcheck=all", "-g"])
        .arg("-o")
        .arg(dir.join("run_all"))
        .arg(lib.include.join("losskit.f90"))
        .arg(repo().join("tests/fortran/checks.f90"))
        .args(&families)
        .arg(dir.join("run_all.f90"))
        .args(lib.static_link_args());
    run(&mut cmd, "gfortran (tests/fortran)", 300);
    let out = run(
        &mut Command::new(dir.join("run_all")),
        "the Fortran test program",
        120,
    );
    assert!(
        out.stdout.contains("all checks passed"),
        "unexpected output:\n{}",
        out.stdout
    );
    for s in &stems {
        assert!(
            out.stdout.contains(&format!("family {s}:")),
            "family {s} did not report:\n{}",
            out.stdout
        );
    }
}
