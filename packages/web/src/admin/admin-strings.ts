// Strings of the operator's screen (/admin), English and French: the moderation queue here, the lawful-request pages
// in admin-strings-lawful.ts, the transparency page in admin-strings-transparency.ts. Kept in the admin chunk, apart
// from the messenger's catalogue, so that the messenger's first screen does not carry them; the French type refuses a
// missing key.
import { useMemo } from 'react';
import { type Lang, useLang, type Vars } from '../i18n/i18n.js';
import { lawfulEn, lawfulFr } from './admin-strings-lawful.js';
import { transparencyEn, transparencyFr } from './admin-strings-transparency.js';

const moderationEn = {
  'admin.title': 'Operator',
  'admin.skip': 'Skip to content',
  'admin.tokenTitle': 'Operator sign-in',
  'admin.tokenIntro':
    'Paste an admin token (sat_…) made with “sotto-server admin tokens create”. It stays in this tab only and is forgotten when the tab closes.',
  'admin.token': 'Admin token',
  'admin.tokenShape': 'An admin token starts with sat_ and has no spaces.',
  'admin.signIn': 'Open the queue',
  'admin.signOut': 'Forget the token',
  'admin.queue': 'Reports',
  'admin.status': 'Show',
  'admin.status.open': 'Open',
  'admin.status.resolved': 'Resolved',
  'admin.status.all': 'All',
  'admin.refresh': 'Refresh',
  'admin.loading': 'Loading…',
  'admin.empty': 'No report here.',
  'admin.col.when': 'Received',
  'admin.col.account': 'Reported account',
  'admin.col.category': 'Category',
  'admin.col.kind': 'Kind',
  'admin.col.verified': 'Verified',
  'admin.col.status': 'Status',
  'admin.open': 'Open report {id}',
  'admin.yes': 'yes',
  'admin.no': 'no',
  'admin.detail': 'Report {id}',
  'admin.back': 'Back to the queue',
  'admin.noReason': 'The reporter wrote nothing.',
  'admin.messages': 'Messages',
  'admin.msgVerified': 'verified',
  'admin.msgReported': 'reported',
  'admin.signals': 'Signals for {account}',
  'admin.signal': '{signal}: {value} (threshold {threshold})',
  'admin.actions': 'Decision',
  'admin.note': 'Note (kept with the decision)',
  'admin.suspendConfirm': 'Suspend {account}? They will not be able to use this server until an operator lifts it.',
  'admin.resolved': 'Resolved: {action}.',
  'admin.evidence': 'Download evidence (.json)',
  'admin.col.id': 'Report',
  'admin.col.reporter': 'Reported by',
  'admin.col.reason': 'Reporter’s words',
  'admin.col.contentDeleted': 'Content deleted by retention',
  'admin.kind.report': 'user report',
  'admin.kind.signals': 'metadata signals',
  'admin.action.dismiss': 'dismissed',
  'admin.action.warn': 'warned',
  'admin.action.suspend': 'suspended',
  'admin.do.dismiss': 'Dismiss',
  'admin.do.warn': 'Warn the account',
  'admin.do.suspend': 'Suspend the account',
  'admin.resolution': 'Resolved ({action}) by {admin} on {at}.',
  'admin.resolutionNote': 'Note: {note}',
  'admin.msgUnverified': 'not verified ({why})',
  'admin.attachment': 'Attachment {name} ({type}, {size} bytes).',
  'admin.attachmentHeld': 'Its decrypted bytes are held (SHA-256 {sha256}).',
  'admin.attachmentGone': 'Its bytes are not held (the blob had expired or retention deleted them).',
  'admin.noContent': 'No text ({type}), or retention deleted it.',
  'admin.unauthorized': 'The server refused this token: it may have been revoked or mistyped.',
  'admin.error': 'Refused: {message} ({code})',
} as const;

const moderationFr: Record<keyof typeof moderationEn, string> = {
  'admin.title': 'Opérateur',
  'admin.skip': 'Aller au contenu',
  'admin.tokenTitle': 'Connexion opérateur',
  'admin.tokenIntro':
    'Collez un jeton d’administration (sat_…) créé avec « sotto-server admin tokens create ». Il reste dans cet onglet seulement et est oublié à sa fermeture.',
  'admin.token': 'Jeton d’administration',
  'admin.tokenShape': 'Un jeton d’administration commence par sat_ et ne contient pas d’espace.',
  'admin.signIn': 'Ouvrir la file',
  'admin.signOut': 'Oublier le jeton',
  'admin.queue': 'Signalements',
  'admin.status': 'Afficher',
  'admin.status.open': 'Ouverts',
  'admin.status.resolved': 'Traités',
  'admin.status.all': 'Tous',
  'admin.refresh': 'Actualiser',
  'admin.loading': 'Chargement…',
  'admin.empty': 'Aucun signalement ici.',
  'admin.col.when': 'Reçu',
  'admin.col.account': 'Compte signalé',
  'admin.col.category': 'Catégorie',
  'admin.col.kind': 'Type',
  'admin.col.verified': 'Vérifié',
  'admin.col.status': 'État',
  'admin.open': 'Ouvrir le signalement {id}',
  'admin.yes': 'oui',
  'admin.no': 'non',
  'admin.detail': 'Signalement {id}',
  'admin.back': 'Retour à la file',
  'admin.noReason': 'La personne qui signale n’a rien écrit.',
  'admin.messages': 'Messages',
  'admin.msgVerified': 'vérifié',
  'admin.msgReported': 'signalé',
  'admin.signals': 'Signaux de {account}',
  'admin.signal': '{signal} : {value} (seuil {threshold})',
  'admin.actions': 'Décision',
  'admin.note': 'Note (gardée avec la décision)',
  'admin.suspendConfirm':
    'Suspendre {account} ? Ce compte ne pourra plus utiliser ce serveur tant qu’un opérateur ne lève pas la suspension.',
  'admin.resolved': 'Traité : {action}.',
  'admin.evidence': 'Télécharger les preuves (.json)',
  'admin.col.id': 'Signalement',
  'admin.col.reporter': 'Signalé par',
  'admin.col.reason': 'Mots de la personne qui signale',
  'admin.col.contentDeleted': 'Contenu supprimé par la rétention',
  'admin.kind.report': 'signalement',
  'admin.kind.signals': 'signaux de métadonnées',
  'admin.action.dismiss': 'classé sans suite',
  'admin.action.warn': 'averti',
  'admin.action.suspend': 'suspendu',
  'admin.do.dismiss': 'Classer sans suite',
  'admin.do.warn': 'Avertir le compte',
  'admin.do.suspend': 'Suspendre le compte',
  'admin.resolution': 'Traité ({action}) par {admin} le {at}.',
  'admin.resolutionNote': 'Note : {note}',
  'admin.msgUnverified': 'non vérifié ({why})',
  'admin.attachment': 'Pièce jointe {name} ({type}, {size} octets).',
  'admin.attachmentHeld': 'Ses octets déchiffrés sont conservés (SHA-256 {sha256}).',
  'admin.attachmentGone': 'Ses octets ne sont pas conservés (le blob avait expiré ou la rétention l’a supprimé).',
  'admin.noContent': 'Pas de texte ({type}), ou la rétention l’a supprimé.',
  'admin.unauthorized': 'Le serveur a refusé ce jeton : il a peut-être été révoqué ou mal recopié.',
  'admin.error': 'Refusé : {message} ({code})',
};

const en = { ...moderationEn, ...lawfulEn, ...transparencyEn };
type AdminKey = keyof typeof en;
const fr: Record<AdminKey, string> = { ...moderationFr, ...lawfulFr, ...transparencyFr };

const catalogue: Record<Lang, Record<AdminKey, string>> = { en, fr };

export type AdminT = (key: AdminKey, vars?: Vars) => string;

export function useAdminT(): AdminT {
  const lang = useLang();
  return useMemo<AdminT>(
    () =>
      (key, vars = {}) =>
        catalogue[lang][key].replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)),
    [lang],
  );
}
