// Package flows answers "where do trafficked people and drugs come from and
// go?": it resolves each incident's origin and destination to a district
// (through the gazetteer, as ingest places rows) or to a country (ISO
// 3166-1 alpha-2, through data/flows/countries.csv), and counts incidents
// per origin -> destination pair, category and period.
//
// # Which field gives an end
//
// The fields are the category's own (schemas.Details): drug trafficking
// records carry origin and route; human trafficking records carry origin,
// destination and nationality. An end is taken from the first of these
// that the record gives, and resolved; a field given but not resolved
// leaves the end unresolved, with its reason (the next field is not tried:
// that would be a guess about what the record meant).
//
//   - origin: the origin field; else the first place of the route; else,
//     for trafficking, a foreign nationality (its country).
//   - destination: the destination field; else the last place of the route;
//     else, for a drug seizure, the district where it was seized.
//
// A route is split at " - " (a hyphen with a space beside it: "N-25" is a
// highway), "->", ">", ",", ";", "/" and the words to, via,
// through and then (and their Urdu forms); words like via, from, border
// and road alone are dropped. A route of one place is the site of a
// seizure, not a way between two places, and gives neither end.
//
// # Counting
//
// An incident is a group of records (store incident_groups), counted once,
// as summaries count it: its ends are read from its primary record, or
// from the first other record of the group that gives the fields when the
// primary gives none. Records counts every record of the flow's incidents;
// kilograms and victims are the primaries'.
//
// # Publishing
//
// Publishable withholds every flow of fewer than min-cell incidents, the
// export's rule for a district count; a published output then gives no
// count of unresolved incidents either, since with the category's
// national total it would add up to the withheld flows.
//
// # Maps
//
// Anchors places a district end at geo.InteriorPoint of its polygon and a
// country at its countries.csv anchor, a point inside the country (for
// the UAE, inland Abu Dhabi emirate, not the island or the sea). Map draws
// the largest flows as arrows over the districts with geo/render.
package flows
