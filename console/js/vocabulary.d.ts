/**
 * Types of the module the service generates at /console/js/vocabulary.js (routes/console.ts,
 * CONSOLE_VOCABULARY), taken from the same constants: there is no vocabulary.js file to drift.
 */
type V = typeof import('../../routes/console').CONSOLE_VOCABULARY;

export const EVENT_TYPES: V['EVENT_TYPES'];
export const DECISION_KINDS: V['DECISION_KINDS'];
export const PROBLEM_CODES: V['PROBLEM_CODES'];
export const ACTION_STATUSES: V['ACTION_STATUSES'];
export const ACTION_OUTCOMES: V['ACTION_OUTCOMES'];
export const ACTION_TYPES: V['ACTION_TYPES'];
export const ACTION_SPECS: V['ACTION_SPECS'];
export const SEVERITIES: V['SEVERITIES'];
export const MATCHER_FIELDS: V['MATCHER_FIELDS'];
export const SILENCE_STATES: V['SILENCE_STATES'];
export const WEEKDAYS: V['WEEKDAYS'];
export const INCIDENT_STATES: V['INCIDENT_STATES'];
export const INCIDENT_RESOLUTIONS: V['INCIDENT_RESOLUTIONS'];

export type EventType = V['EVENT_TYPES'][number];
export type DecisionKind = V['DECISION_KINDS'][number];
export type ProblemCode = V['PROBLEM_CODES'][number];
export type IncidentResolution = V['INCIDENT_RESOLUTIONS'][number];
