/** The app name of the events module (the `app` of its reports). */
export const EVENTS_APP = Symbol('bff.eventsApp');
