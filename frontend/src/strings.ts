// Every string the card shows, in English and the languages the integration speaks.

export interface Strings {
  not_available: string;
  not_allowed: string;
  retrying: string;
  loading: string;
  no_messages: string;
  back: string;
  load_earlier: string;
  you: string;
  opted_out: string;
  opted_out_line: string;
  today: string;
  yesterday: string;
  assist: string;
  unread: string;
  placeholder: string;
  send: string;
  sending: string;
  left: string;
  parts: string;
  unicode: string;
  unicode_hint: string;
  receive_only: string;
  tick_sent: string;
  tick_delivered: string;
  tick_failed: string;
  failed_unknown: string;
  editor_entry: string;
  editor_title: string;
  editor_threads: string;
  editor_show_reply: string;
}

export type Language = "en" | "de" | "fr" | "es" | "nl" | "it";

// {n} is a number. Keep them short: the card is narrow on a phone.
export const STRINGS: Record<Language, Strings> = {
  en: {
    not_available: "Messages not available",
    not_allowed: "Not allowed to read the messages",
    retrying: "Trying again…",
    loading: "Loading…",
    no_messages: "No messages yet",
    back: "Back",
    load_earlier: "Load earlier",
    you: "You: ",
    opted_out: "Opted out",
    opted_out_line: "Opted out of SMS",
    today: "Today",
    yesterday: "Yesterday",
    assist: "Assist",
    unread: "{n} unread",
    placeholder: "Text message",
    send: "Send",
    sending: "Sending…",
    left: "{n} left",
    parts: "{n} SMS",
    unicode: "Unicode",
    unicode_hint: "A character outside GSM-7: 70 per SMS, 67 per part",
    receive_only: "Receive only",
    tick_sent: "Sent",
    tick_delivered: "Delivered",
    tick_failed: "Failed",
    failed_unknown: "Not delivered",
    editor_entry: "Esendex SMS entry",
    editor_title: "Title",
    editor_threads: "Threads shown",
    editor_show_reply: "Show the reply box",
  },
  de: {
    not_available: "Nachrichten nicht verfügbar",
    not_allowed: "Keine Berechtigung für die Nachrichten",
    retrying: "Neuer Versuch…",
    loading: "Wird geladen…",
    no_messages: "Noch keine Nachrichten",
    back: "Zurück",
    load_earlier: "Ältere laden",
    you: "Du: ",
    opted_out: "Abgemeldet",
    opted_out_line: "Von SMS abgemeldet",
    today: "Heute",
    yesterday: "Gestern",
    assist: "Assist",
    unread: "{n} ungelesen",
    placeholder: "SMS schreiben",
    send: "Senden",
    sending: "Wird gesendet…",
    left: "noch {n}",
    parts: "{n} SMS",
    unicode: "Unicode",
    unicode_hint: "Ein Zeichen außerhalb von GSM-7: 70 pro SMS, 67 pro Teil",
    receive_only: "Nur Empfang",
    tick_sent: "Gesendet",
    tick_delivered: "Zugestellt",
    tick_failed: "Fehlgeschlagen",
    failed_unknown: "Nicht zugestellt",
    editor_entry: "Esendex-SMS-Eintrag",
    editor_title: "Titel",
    editor_threads: "Angezeigte Verläufe",
    editor_show_reply: "Antwortfeld anzeigen",
  },
  fr: {
    not_available: "Messages indisponibles",
    not_allowed: "Lecture des messages non autorisée",
    retrying: "Nouvel essai…",
    loading: "Chargement…",
    no_messages: "Aucun message",
    back: "Retour",
    load_earlier: "Plus anciens",
    you: "Vous : ",
    opted_out: "Désinscrit",
    opted_out_line: "Désinscrit des SMS",
    today: "Aujourd’hui",
    yesterday: "Hier",
    assist: "Assist",
    unread: "{n} non lu(s)",
    placeholder: "SMS",
    send: "Envoyer",
    sending: "Envoi…",
    left: "{n} restants",
    parts: "{n} SMS",
    unicode: "Unicode",
    unicode_hint: "Un caractère hors GSM-7 : 70 par SMS, 67 par partie",
    receive_only: "Réception seule",
    tick_sent: "Envoyé",
    tick_delivered: "Remis",
    tick_failed: "Échec",
    failed_unknown: "Non remis",
    editor_entry: "Entrée Esendex SMS",
    editor_title: "Titre",
    editor_threads: "Conversations affichées",
    editor_show_reply: "Afficher la zone de réponse",
  },
  es: {
    not_available: "Mensajes no disponibles",
    not_allowed: "Sin permiso para leer los mensajes",
    retrying: "Reintentando…",
    loading: "Cargando…",
    no_messages: "Aún no hay mensajes",
    back: "Atrás",
    load_earlier: "Cargar anteriores",
    you: "Tú: ",
    opted_out: "Dado de baja",
    opted_out_line: "Dado de baja de los SMS",
    today: "Hoy",
    yesterday: "Ayer",
    assist: "Assist",
    unread: "{n} sin leer",
    placeholder: "Mensaje de texto",
    send: "Enviar",
    sending: "Enviando…",
    left: "quedan {n}",
    parts: "{n} SMS",
    unicode: "Unicode",
    unicode_hint: "Un carácter fuera de GSM-7: 70 por SMS, 67 por parte",
    receive_only: "Solo recepción",
    tick_sent: "Enviado",
    tick_delivered: "Entregado",
    tick_failed: "Fallido",
    failed_unknown: "No entregado",
    editor_entry: "Entrada de Esendex SMS",
    editor_title: "Título",
    editor_threads: "Conversaciones mostradas",
    editor_show_reply: "Mostrar el cuadro de respuesta",
  },
  nl: {
    not_available: "Berichten niet beschikbaar",
    not_allowed: "Geen toegang tot de berichten",
    retrying: "Opnieuw proberen…",
    loading: "Laden…",
    no_messages: "Nog geen berichten",
    back: "Terug",
    load_earlier: "Eerdere laden",
    you: "Jij: ",
    opted_out: "Afgemeld",
    opted_out_line: "Afgemeld voor sms",
    today: "Vandaag",
    yesterday: "Gisteren",
    assist: "Assist",
    unread: "{n} ongelezen",
    placeholder: "Sms-bericht",
    send: "Versturen",
    sending: "Versturen…",
    left: "nog {n}",
    parts: "{n} sms",
    unicode: "Unicode",
    unicode_hint: "Een teken buiten GSM-7: 70 per sms, 67 per deel",
    receive_only: "Alleen ontvangen",
    tick_sent: "Verstuurd",
    tick_delivered: "Afgeleverd",
    tick_failed: "Mislukt",
    failed_unknown: "Niet afgeleverd",
    editor_entry: "Esendex SMS-item",
    editor_title: "Titel",
    editor_threads: "Getoonde gesprekken",
    editor_show_reply: "Antwoordvak tonen",
  },
  it: {
    not_available: "Messaggi non disponibili",
    not_allowed: "Lettura dei messaggi non consentita",
    retrying: "Nuovo tentativo…",
    loading: "Caricamento…",
    no_messages: "Ancora nessun messaggio",
    back: "Indietro",
    load_earlier: "Carica precedenti",
    you: "Tu: ",
    opted_out: "Disiscritto",
    opted_out_line: "Disiscritto dagli SMS",
    today: "Oggi",
    yesterday: "Ieri",
    assist: "Assist",
    unread: "{n} non letti",
    placeholder: "Messaggio",
    send: "Invia",
    sending: "Invio…",
    left: "{n} rimasti",
    parts: "{n} SMS",
    unicode: "Unicode",
    unicode_hint: "Un carattere fuori da GSM-7: 70 per SMS, 67 per parte",
    receive_only: "Solo ricezione",
    tick_sent: "Inviato",
    tick_delivered: "Consegnato",
    tick_failed: "Non riuscito",
    failed_unknown: "Non consegnato",
    editor_entry: "Voce Esendex SMS",
    editor_title: "Titolo",
    editor_threads: "Conversazioni mostrate",
    editor_show_reply: "Mostra la casella di risposta",
  },
};

/** The language of a Home Assistant language tag ("de-CH" is de), English by default. */
export function languageOf(tag: string | undefined | null): Language {
  const prefix = (tag ?? "").toLowerCase().split(/[-_]/)[0] ?? "";
  return prefix in STRINGS ? (prefix as Language) : "en";
}

export function stringsFor(tag: string | undefined | null): Strings {
  return STRINGS[languageOf(tag)];
}

/** A string with its {n} filled in. */
export function format(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) =>
    key in values ? String(values[key]) : whole,
  );
}
