//! `collector/openapi.json` held against the types of `ivote_protocol::wire` that the
//! server writes and the clients read: every JSON body in the document has its type, and
//! for each, the schema's property names and required properties are what the type
//! writes and requires, and a sample value of the type validates against the schema. So
//! neither the document nor the types can drift silently.

use std::collections::{BTreeMap, BTreeSet};

use ivote_protocol::hashes::BallotHash;
use ivote_protocol::package::ContextHash;
use ivote_protocol::wire::{
    BoxState, Challenge, CloseRequest, ConsistencyProof, ElectionFacts, ErrorBody, FinalHead,
    InclusionProof, PackageContents, Status, StoredBallot, TreeHead, VoterInfo, VoterInfoQuery,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

/// A sample of a wire type as JSON, and whether a JSON value reads as that type.
struct Typed {
    sample: Value,
    reads: fn(Value) -> bool,
}

fn typed<T: Serialize + DeserializeOwned>(sample: T) -> Typed {
    Typed {
        sample: serde_json::to_value(sample).unwrap(),
        reads: |v| serde_json::from_value::<T>(v).is_ok(),
    }
}

fn final_head() -> FinalHead {
    FinalHead {
        closing_signature: [1; 64],
        layout: vec![2; 176],
        root: [3; 32],
        signature: [4; 64],
        size: 5,
        timestamp: 1_800_000_000,
    }
}

/// Each JSON body of the document ("METHOD PATH request", "METHOD PATH STATUS", or a
/// component's `$ref`) and its wire type. Error answers are checked apart: each is the
/// `Error` component.
fn wire_types() -> BTreeMap<&'static str, Typed> {
    let hashes = vec![[7; 32], [8; 32]];
    BTreeMap::from([
        (
            "get /election 200",
            typed(ElectionFacts {
                challenge_ttl: 300,
                collector_key: [1; 32],
                context: ContextHash([2; 32]),
                joint_key: [3; 32],
                manifest: "election_id = \"x\"\n".into(),
                voting_ends: 2_000_000_000,
                voting_starts: 1_800_000_000,
            }),
        ),
        (
            "post /challenge 200",
            typed(Challenge::from(
                &ivote_protocol::challenge::SignedChallenge::sign(
                    &ed25519_dalek::SigningKey::from_bytes(&[1; 32]),
                    ContextHash([2; 32]),
                    [4; 32],
                    1_800_000_000,
                    1_800_000_300,
                    ivote_protocol::challenge::Purpose::Vote,
                ),
            )),
        ),
        (
            "get /verify/{ballot_id} 200",
            typed(StoredBallot {
                ballot_id: BallotHash([5; 32]),
                leaf_index: 3,
                latest_voter_seq: 4,
                received_at: 1_800_000_000,
                submission: vec![6; 40],
                voter_seq: 2,
            }),
        ),
        (
            "get /package 200",
            typed(PackageContents {
                files: [("manifest.toml".to_owned(), b"x = 1".to_vec())].into(),
            }),
        ),
        (
            "post /voter-info request",
            typed(VoterInfoQuery {
                certificate: vec![1; 300],
                challenge: vec![2; 145],
                signature: vec![3; 64],
            }),
        ),
        (
            "post /voter-info 200",
            typed(VoterInfo {
                ballots_cast: 1,
                district: "tartu".into(),
                verify_max: 3,
                verify_window: 1800,
                voter_id: "PNOEE-38001085718".into(),
            }),
        ),
        (
            "get /log/head 200",
            typed(TreeHead {
                layout: vec![1; 112],
                root: [2; 32],
                signature: [3; 64],
                size: 4,
                timestamp: 1_800_000_000,
            }),
        ),
        (
            "get /log/inclusion/{leaf} 200",
            typed(InclusionProof {
                leaf: 1,
                proof: hashes.clone(),
                size: 3,
            }),
        ),
        (
            "get /log/consistency 200",
            typed(ConsistencyProof {
                from: 1,
                proof: hashes,
                to: 3,
            }),
        ),
        (
            "get /status 200",
            typed(Status {
                accepted: 5,
                final_head: Some(final_head()),
                rejected: [("challenge.used".to_owned(), 2)].into(),
                state: BoxState::Closed,
            }),
        ),
        ("get /log/final 200", typed(final_head())),
        (
            "post /admin/close request",
            typed(CloseRequest {
                timestamp: 1_800_000_000,
                signature: [9; 64],
            }),
        ),
        ("post /admin/close 200", typed(final_head())),
        (
            "#/components/schemas/Error",
            typed(ErrorBody {
                code: "challenge.used".into(),
                message: "this challenge was used".into(),
            }),
        ),
        ("#/components/schemas/FinalHead", typed(final_head())),
    ])
}

fn document() -> Value {
    serde_json::from_str(include_str!("../../openapi.json")).unwrap()
}

/// Every JSON schema of the document's requests and answers, by where it is.
fn json_bodies(doc: &Value) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let json_schema = |body: &Value| body["content"]["application/json"]["schema"].clone();
            let request = json_schema(&op["requestBody"]);
            if !request.is_null() {
                out.insert(format!("{method} {path} request"), request);
            }
            for (status, answer) in op["responses"].as_object().unwrap() {
                let answer = json_schema(answer);
                if !answer.is_null() {
                    out.insert(format!("{method} {path} {status}"), answer);
                }
            }
        }
    }
    for name in doc["components"]["schemas"].as_object().unwrap().keys() {
        let at = format!("#/components/schemas/{name}");
        out.insert(at.clone(), json!({ "$ref": at }));
    }
    out
}

/// `schema` with its `$ref` followed.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(at) => {
            let name = at.strip_prefix("#/components/schemas/").unwrap();
            &doc["components"]["schemas"][name]
        }
        None => schema,
    }
}

/// Checks `value` against the parts of JSON Schema the document uses.
fn validate(doc: &Value, value: &Value, schema: &Value, at: &str) -> Result<(), String> {
    let schema = resolve(doc, schema);
    if let Some(options) = schema["oneOf"].as_array() {
        let fits = options
            .iter()
            .filter(|o| validate(doc, value, o, at).is_ok());
        return match fits.count() {
            1 => Ok(()),
            n => Err(format!("{at}: {value} fits {n} of oneOf")),
        };
    }
    if let Some(allowed) = schema["enum"].as_array() {
        if !allowed.contains(value) {
            return Err(format!("{at}: {value} is not one of {allowed:?}"));
        }
    }
    let fail = |what: &str| Err(format!("{at}: {value} is not {what}"));
    match schema["type"].as_str() {
        None => {}
        Some("null") if !value.is_null() => return fail("null"),
        Some("string") => {
            let Some(text) = value.as_str() else {
                return fail("a string");
            };
            match schema["pattern"].as_str() {
                None => {}
                Some("^[0-9a-f]*$")
                    if !text
                        .bytes()
                        .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) =>
                {
                    return fail("lower-case hex");
                }
                Some("^[0-9a-f]*$") => {}
                Some(other) => return Err(format!("{at}: the test cannot check `{other}`")),
            }
        }
        Some("integer") => {
            if !(value.is_i64() || value.is_u64()) {
                return fail("an integer");
            }
            if let Some(least) = schema["minimum"].as_i64() {
                if value.as_i64().is_some_and(|v| v < least) {
                    return fail(&format!("at least {least}"));
                }
            }
        }
        Some("array") => {
            let Some(items) = value.as_array() else {
                return fail("an array");
            };
            for (i, item) in items.iter().enumerate() {
                validate(doc, item, &schema["items"], &format!("{at}[{i}]"))?;
            }
        }
        Some("object") => {
            let Some(fields) = value.as_object() else {
                return fail("an object");
            };
            let properties = schema["properties"].as_object();
            for (name, field) in fields {
                let at = format!("{at}.{name}");
                match properties.and_then(|p| p.get(name)) {
                    Some(s) => validate(doc, field, s, &at)?,
                    None if schema["additionalProperties"].is_object() => {
                        validate(doc, field, &schema["additionalProperties"], &at)?
                    }
                    None => return Err(format!("{at} is not in the schema")),
                }
            }
        }
        Some(other) if other != "null" => {
            return Err(format!("{at}: the test cannot check type `{other}`"))
        }
        Some(_) => {}
    }
    Ok(())
}

fn names(v: &Value) -> BTreeSet<String> {
    match v {
        Value::Object(map) => map.keys().cloned().collect(),
        Value::Array(items) => items
            .iter()
            .map(|s| s.as_str().unwrap().to_owned())
            .collect(),
        _ => BTreeSet::new(),
    }
}

/// The properties a type needs to read a value: those whose absence it refuses.
fn required(t: &Typed) -> BTreeSet<String> {
    assert!((t.reads)(t.sample.clone()), "the sample does not read back");
    names(&t.sample)
        .into_iter()
        .filter(|name| {
            let mut without = t.sample.clone();
            without.as_object_mut().unwrap().remove(name);
            !(t.reads)(without)
        })
        .collect()
}

#[test]
fn every_json_body_of_the_document_has_a_wire_type() {
    let doc = document();
    let mut types = wire_types();
    for (at, schema) in json_bodies(&doc) {
        let status = at.rsplit(' ').next().unwrap();
        if status.starts_with('4') || status.starts_with('5') || status == "default" {
            assert_eq!(
                schema,
                json!({ "$ref": "#/components/schemas/Error" }),
                "{at}: every error answer is the Error component"
            );
        } else if at == "get /openapi.json 200" {
            // The document itself, not a body of the API.
        } else {
            assert!(types.remove(at.as_str()).is_some(), "{at} has no wire type");
        }
    }
    let unused: Vec<_> = types.keys().collect();
    assert!(unused.is_empty(), "not in the document: {unused:?}");
}

#[test]
fn each_schema_is_what_its_wire_type_writes_and_requires() {
    let doc = document();
    let bodies = json_bodies(&doc);
    for (at, t) in wire_types() {
        let schema = resolve(&doc, &bodies[at]);
        assert_eq!(
            names(&schema["properties"]),
            names(&t.sample),
            "{at}: the properties"
        );
        assert_eq!(
            names(&schema["required"]),
            required(&t),
            "{at}: the required properties"
        );
        validate(&doc, &t.sample, schema, at).unwrap();
    }
}

#[test]
fn the_documented_states_are_the_box_states() {
    let doc = document();
    let documented: BTreeSet<String> = doc["paths"]["/status"]["get"]["responses"]["200"]
        ["content"]["application/json"]["schema"]["properties"]["state"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap().to_owned())
        .collect();
    let states = [
        BoxState::NotOpen,
        BoxState::TestVotes,
        BoxState::Open,
        BoxState::Closed,
    ];
    let written: BTreeSet<String> = states
        .iter()
        .map(|s| {
            serde_json::to_value(s)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(documented, written);
}

#[test]
fn a_value_off_the_schema_is_caught() {
    // The checker itself: a wrong type, a stray property, upper-case hex.
    let doc = document();
    let schema = resolve(&doc, &json!({ "$ref": "#/components/schemas/FinalHead" })).clone();
    let mut v = serde_json::to_value(final_head()).unwrap();
    assert!(validate(&doc, &v, &schema, "t").is_ok());
    v["size"] = json!("5");
    assert!(validate(&doc, &v, &schema, "t").is_err());
    v["size"] = json!(5);
    v["extra"] = json!(1);
    assert!(validate(&doc, &v, &schema, "t").is_err());
    v.as_object_mut().unwrap().remove("extra");
    v["root"] = json!("AB");
    assert!(validate(&doc, &v, &schema, "t").is_err());
}

/// Every parameter states its limits (a string its pattern, anchored, and its lengths; an
/// integer its minimum and maximum, which is `u64::MAX`: the router reads integers as
/// `u64`), and every variable of a path is a documented path parameter.
#[test]
fn every_parameter_states_its_limits() {
    let doc = document();
    let mut seen = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            let params: Vec<&Value> = op["parameters"].as_array().into_iter().flatten().collect();
            for p in &params {
                let (name, schema) = (p["name"].as_str().unwrap(), &p["schema"]);
                let at = format!("{method} {path} {name}");
                match schema["type"].as_str() {
                    Some("string") => {
                        let pattern = schema["pattern"].as_str().unwrap_or_default();
                        assert!(pattern.starts_with('^') && pattern.ends_with('$'), "{at}");
                        let (min, max) =
                            (schema["minLength"].as_u64(), schema["maxLength"].as_u64());
                        assert!(min.is_some() && max.is_some() && min <= max, "{at}");
                    }
                    Some("integer") => {
                        assert!(schema["minimum"].is_u64(), "{at}");
                        assert_eq!(schema["maximum"].as_u64(), Some(u64::MAX), "{at}");
                    }
                    other => panic!("{at}: type {other:?}"),
                }
                if p["in"] == "path" {
                    assert!(path.contains(&format!("{{{name}}}")), "{at}");
                }
                seen += 1;
            }
            let variables = path
                .split('/')
                .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')));
            for var in variables {
                assert!(
                    params.iter().any(|p| p["name"] == var && p["in"] == "path"),
                    "{method} {path}: {var} is not documented"
                );
            }
        }
    }
    assert_eq!(seen, 5, "ballot_id, leaf, size, from, to");
}
