// Strings of the first run: creating an account, linking this browser, unlocking.
export const en = {
  'firstRun.title': 'Welcome to Sotto',
  'firstRun.lead': 'End-to-end encrypted messages for your organisation. Your keys are made and kept in this browser.',
  'firstRun.tab.register': 'Create an account',
  'firstRun.tab.link': 'Link to my account',
  'firstRun.tab.protected': 'What is protected',
  'firstRun.account': 'Account name',
  'firstRun.accountHint': 'Lower-case letters, digits, dots and dashes. Others find you by this name.',
  'firstRun.invite': 'Invite code (from the invite link)',
  'firstRun.deviceName': 'Name of this device (only your own devices see it)',
  'firstRun.defaultDeviceName': 'Web browser',
  'firstRun.passphrase': 'Passphrase for this browser (optional)',
  'firstRun.passphraseHint':
    'Without one, anyone who can open this browser profile can read your messages. With one, Sotto asks for it each time it opens here; it cannot be recovered.',
  'firstRun.create': 'Create account',
  'firstRun.creating': 'Creating keys…',
  'firstRun.linkStart': 'Show a link code',
  'firstRun.linkShow':
    'On a device that already has this account, open Devices › Link a new device (or run `sotto approve`) and scan this code or paste its text.',
  'firstRun.linkQrLabel': 'Link code as a QR code',
  'firstRun.linkCode': 'Confirmation code:',
  'firstRun.linkText': 'Link code as text',
  'firstRun.linkWaiting': 'Waiting for the approval…',
} as const;

export const fr: Record<keyof typeof en, string> = {
  'firstRun.title': 'Bienvenue dans Sotto',
  'firstRun.lead': 'Une messagerie chiffrée de bout en bout pour votre organisation. Vos clés sont créées et gardées dans ce navigateur.',
  'firstRun.tab.register': 'Créer un compte',
  'firstRun.tab.link': 'Lier à mon compte',
  'firstRun.tab.protected': 'Ce qui est protégé',
  'firstRun.account': 'Nom du compte',
  'firstRun.accountHint': 'Lettres minuscules, chiffres, points et tirets. Les autres vous trouvent par ce nom.',
  'firstRun.invite': 'Code d’invitation (du lien d’invitation)',
  'firstRun.deviceName': 'Nom de cet appareil (seuls vos appareils le voient)',
  'firstRun.defaultDeviceName': 'Navigateur web',
  'firstRun.passphrase': 'Phrase secrète pour ce navigateur (facultative)',
  'firstRun.passphraseHint':
    'Sans elle, toute personne qui peut ouvrir ce profil de navigateur peut lire vos messages. Avec elle, Sotto la demande à chaque ouverture ici ; elle ne peut pas être récupérée.',
  'firstRun.create': 'Créer le compte',
  'firstRun.creating': 'Création des clés…',
  'firstRun.linkStart': 'Afficher un code de liaison',
  'firstRun.linkShow':
    'Sur un appareil qui a déjà ce compte, ouvrez Appareils › Lier un appareil (ou lancez `sotto approve`) et scannez ce code ou collez son texte.',
  'firstRun.linkQrLabel': 'Code de liaison en QR code',
  'firstRun.linkCode': 'Code de confirmation :',
  'firstRun.linkText': 'Code de liaison en texte',
  'firstRun.linkWaiting': 'En attente de l’approbation…',
};
