//! The flattened view of a Windows event.
//!
//! Rules name Windows fields as the event viewer shows them (`Image`,
//! `EventID`, `Channel`, `Provider_Name`), while the `evtx` crate and
//! SigmaHQ's `.json` renderings nest them (`Event.System.EventID`,
//! `Event.EventData.Image`, `Event.System.Provider.#attributes.Name`).
//! [`flatten`] lifts them to the top level:
//!
//! - `System` scalars keep their names (`EventID`, `Channel`, `Computer`,
//!   `EventRecordID`, `Keywords`...). An element that holds only attributes
//!   becomes `<element>_<attribute>`: `Provider_Name`, `Provider_Guid`,
//!   `TimeCreated_SystemTime`, `Execution_ProcessID`, `Security_UserID`.
//! - `EventID` written as `{"#attributes": {"Qualifiers": 16384}, "#text":
//!   7045}` becomes `EventID: 7045` and `EventID_Qualifiers: 16384`; an
//!   `EventID` typed as a string (`"4624"`) becomes the number, so routing
//!   and matching see one type.
//! - `EventData` and `UserData` fields (and `ProcessingErrorData`'s) become
//!   top-level fields; they win over a `System` field of the same name. An
//!   element written as `{"#attributes": ..., "#text": v}` becomes `v`.
//!   Unnamed data (`<Data>v</Data>`, rendered `Data: {"#text": v}`) becomes
//!   `Data: v` (a string, or a list when there are several), which is what
//!   the classic PowerShell rules search with `Data|contains`.
//! - The original tree stays under `Event`, so `Event.System.Provider` and
//!   the rest remain addressable by their full path. Log-source routing
//!   reads `Channel`, `EventID` and the provider from there ([`system`]),
//!   since a data field may reuse a `System` name: the System log's
//!   "log cleared" event 104 carries the cleared log's name as `Channel`.
//!
//! An object that is not shaped `{"Event": {"System": {...}}}` is returned
//! unchanged: generic events need no flattening.

use serde_json::{Map, Value};

const ATTRIBUTES: &str = "#attributes";
const TEXT: &str = "#text";

/// The flattened view of `event` when it is a Windows event, else `event`.
pub fn flatten(mut event: Value) -> Value {
    let Some(system) = event
        .get("Event")
        .and_then(|e| e.get("System"))
        .and_then(Value::as_object)
    else {
        return event;
    };

    // Sized once: a Windows event has a few dozen fields, and growing the
    // map rehashes every key it holds.
    let data_len = |section: &str| {
        event
            .get("Event")
            .and_then(|e| e.get(section))
            .and_then(Value::as_object)
            .map_or(0, Map::len)
    };
    let mut flat = Map::with_capacity(2 * system.len() + data_len("EventData") + 1);
    for (name, value) in system {
        add_system_field(&mut flat, name, value);
    }
    normalise_event_id(&mut flat);

    for section in ["EventData", "UserData", "ProcessingErrorData"] {
        if let Some(data) = event.get("Event").and_then(|e| e.get(section)) {
            add_data_section(&mut flat, section, data);
        }
    }

    // The tree is moved, not copied: the rest of the input object is not
    // kept, so taking `Event` out of it changes nothing else.
    let tree = match event.as_object_mut().and_then(|map| map.remove("Event")) {
        Some(tree) => tree,
        None => Value::Null,
    };
    flat.insert("Event".to_owned(), tree);
    Value::Object(flat)
}

/// The routing fields of a Windows event, read from `Event.System` so that
/// no data field can shadow them. `None` for an event that is not a
/// flattened or raw Windows event.
pub fn system(event: &Value) -> Option<System<'_>> {
    let system = event.get("Event")?.get("System")?;
    let event_id = match system.get("EventID")? {
        Value::Object(element) => element.get(TEXT)?,
        other => other,
    };
    let event_id = match event_id {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    let provider = system
        .get("Provider")
        .and_then(|p| p.get(ATTRIBUTES))
        .and_then(|a| a.get("Name"))
        .and_then(Value::as_str);
    Some(System {
        channel: system.get("Channel").and_then(Value::as_str),
        provider,
        event_id,
    })
}

/// Where a Windows event comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct System<'a> {
    /// `System.Channel`, e.g. `Microsoft-Windows-Sysmon/Operational`.
    pub channel: Option<&'a str>,
    /// `System.Provider.#attributes.Name`.
    pub provider: Option<&'a str>,
    /// `System.EventID`, as a number.
    pub event_id: Option<u64>,
}

fn add_system_field(flat: &mut Map<String, Value>, name: &str, value: &Value) {
    let Value::Object(element) = value else {
        flat.insert(name.to_owned(), value.clone());
        return;
    };

    if let Some(text) = element.get(TEXT) {
        flat.insert(name.to_owned(), text.clone());
    }
    if let Some(Value::Object(attributes)) = element.get(ATTRIBUTES) {
        for (attribute, value) in attributes {
            let mut key = String::with_capacity(name.len() + 1 + attribute.len());
            key.push_str(name);
            key.push('_');
            key.push_str(attribute);
            flat.insert(key, value.clone());
        }
    }
}

/// `EventID` is a number in most logs but typed as a string by some
/// providers (Security-Auditing, Defender); routing compares numbers.
fn normalise_event_id(flat: &mut Map<String, Value>) {
    if let Some(Value::String(text)) = flat.get("EventID") {
        if let Ok(number) = text.trim().parse::<u64>() {
            flat.insert("EventID".to_owned(), Value::from(number));
        }
    }
}

fn add_data_section(flat: &mut Map<String, Value>, section: &str, data: &Value) {
    let Value::Object(fields) = data else {
        // `EventData: null` is common (an event with no data); a bare text
        // body is kept under the section's name.
        if !data.is_null() {
            flat.insert(section.to_owned(), data.clone());
        }
        return;
    };

    // UserData holds one provider-specific element whose children are the
    // fields (`UserData.EventXML.Param1`); EventData holds the fields
    // directly.
    if section == "UserData" {
        for (name, element) in fields {
            match element {
                Value::Object(children) => add_fields(flat, children),
                other if name != ATTRIBUTES => {
                    flat.insert(name.clone(), text_of(other));
                }
                _ => {}
            }
        }
    } else {
        add_fields(flat, fields);
    }
}

fn add_fields(flat: &mut Map<String, Value>, fields: &Map<String, Value>) {
    for (name, value) in fields {
        if name == ATTRIBUTES {
            continue;
        }
        flat.insert(name.clone(), text_of(value));
    }
}

/// `{"#attributes": ..., "#text": v}` is `v`; anything else is itself.
fn text_of(value: &Value) -> Value {
    match value {
        Value::Object(element) => element.get(TEXT).cloned().unwrap_or_else(|| value.clone()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sysmon_process_creation() -> Value {
        json!({"Event": {
            "#attributes": {"xmlns": "http://schemas.microsoft.com/win/2004/08/events/event"},
            "System": {
                "Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon", "Guid": "X"}},
                "EventID": 1,
                "TimeCreated": {"#attributes": {"SystemTime": "2025-11-26T05:11:27.927693Z"}},
                "Correlation": null,
                "Execution": {"#attributes": {"ProcessID": 3544, "ThreadID": 4264}},
                "Channel": "Microsoft-Windows-Sysmon/Operational",
                "Computer": "host"
            },
            "EventData": {"Image": "C:\\Windows\\System32\\cmd.exe", "ProcessId": 10116}
        }})
    }

    #[test]
    fn system_and_event_data_fields_are_top_level() {
        let flat = flatten(sysmon_process_creation());
        assert_eq!(flat["EventID"], 1);
        assert_eq!(flat["Channel"], "Microsoft-Windows-Sysmon/Operational");
        assert_eq!(flat["Provider_Name"], "Microsoft-Windows-Sysmon");
        assert_eq!(
            flat["TimeCreated_SystemTime"],
            "2025-11-26T05:11:27.927693Z"
        );
        assert_eq!(flat["Execution_ProcessID"], 3544);
        assert_eq!(flat["Image"], "C:\\Windows\\System32\\cmd.exe");
        assert_eq!(flat["ProcessId"], 10116);
        assert!(flat["Correlation"].is_null());
        assert_eq!(flat["Event"]["System"]["Computer"], "host");
    }

    #[test]
    fn event_id_with_qualifiers_and_as_string() {
        let event = json!({"Event": {"System": {
            "EventID": {"#attributes": {"Qualifiers": 16384}, "#text": 7045},
            "Channel": "System"
        }, "EventData": null}});
        let flat = flatten(event);
        assert_eq!(flat["EventID"], 7045);
        assert_eq!(flat["EventID_Qualifiers"], 16384);
        assert!(flat.get("EventData").is_none());

        let event = json!({"Event": {"System": {"EventID": "4624"}}});
        assert_eq!(flatten(event)["EventID"], 4624);
    }

    #[test]
    fn unnamed_data_and_user_data() {
        let event = json!({"Event": {"System": {"EventID": 400},
            "EventData": {"Data": {"#text": ["Available", "None", "HostName=ConsoleHost"]}}}});
        let flat = flatten(event);
        assert_eq!(
            flat["Data"],
            json!(["Available", "None", "HostName=ConsoleHost"])
        );

        let event = json!({"Event": {"System": {"EventID": 104},
            "UserData": {"LogFileCleared": {"#attributes": {"xmlns": "x"},
                "SubjectUserName": "admin", "Channel": "Security"}}}});
        let flat = flatten(event);
        assert_eq!(flat["SubjectUserName"], "admin");
        assert!(flat.get("xmlns").is_none());
        // UserData wins over System: the field the rule means is the data.
        assert_eq!(flat["Channel"], "Security");
    }

    #[test]
    fn data_fields_win_over_system_fields() {
        let event = json!({"Event": {"System": {"EventID": 1, "Computer": "sys"},
            "EventData": {"Computer": "data", "Param": {"#attributes": {"a": 1}, "#text": "v"}}}});
        let flat = flatten(event);
        assert_eq!(flat["Computer"], "data");
        assert_eq!(flat["Param"], "v");
    }

    #[test]
    fn system_reads_the_routing_fields_from_the_tree() {
        let flat = flatten(sysmon_process_creation());
        let expected = System {
            channel: Some("Microsoft-Windows-Sysmon/Operational"),
            provider: Some("Microsoft-Windows-Sysmon"),
            event_id: Some(1),
        };
        assert_eq!(system(&flat), Some(expected));
        assert_eq!(system(&json!({"EventID": 1})), None);
    }

    #[test]
    fn generic_events_are_unchanged() {
        let event = json!({"Image": "x", "Event": {"no": "system"}});
        assert_eq!(flatten(event.clone()), event);
    }
}
