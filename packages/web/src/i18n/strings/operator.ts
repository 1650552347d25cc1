// Strings of the operator's notices to this account: a warning after a report (docs/moderation.md) and a lawful
// request that named the account, told once its gag period ended (docs/for-law-enforcement.md).
export const en = {
  'operator.banner': "Notice from your server's operator",
  'operator.heading.warning': "A warning from your server's operator",
  'operator.heading.lawful-request': 'A legal request named your account',
  'operator.received': 'Received on {date}',
  'operator.lawfulExplain':
    "An authority asked your server's operator for data about your account. The operator tells you only once the period in which it may not say so has ended (a number of days after it answered, 90 by default, or later if a court ordered a delay). The text above is the operator's own: it says who asked, under what kind of request, and what was done.",
  'operator.markRead': 'Mark as read',
  'operator.seeAll': 'See all notices',
  'operator.more': 'You have {n} more unread notices from the operator.',
  'operator.listTitle': "Notices from your server's operator",
  'operator.listIntro': 'What the operator of your server told your account, newest first. They stay on this device.',
  'operator.none': "Your server's operator has sent you no notice.",
  'operator.unread': 'Unread',
};

export const fr: Record<keyof typeof en, string> = {
  'operator.banner': 'Avis de l’opérateur de votre serveur',
  'operator.heading.warning': 'Un avertissement de l’opérateur de votre serveur',
  'operator.heading.lawful-request': 'Une réquisition légale a visé votre compte',
  'operator.received': 'Reçu le {date}',
  'operator.lawfulExplain':
    'Une autorité a demandé à l’opérateur de votre serveur des données sur votre compte. L’opérateur ne vous en informe qu’une fois écoulée la période pendant laquelle il ne peut pas le dire (un nombre de jours après sa réponse, 90 par défaut, ou plus tard si un tribunal a ordonné un délai). Le texte ci-dessus est celui de l’opérateur (en anglais) : il dit qui a demandé, par quel type de demande, et ce qui a été fait.',
  'operator.markRead': 'Marquer comme lu',
  'operator.seeAll': 'Voir tous les avis',
  'operator.more': 'Vous avez {n} autres avis non lus de l’opérateur.',
  'operator.listTitle': 'Avis de l’opérateur de votre serveur',
  'operator.listIntro':
    'Ce que l’opérateur de votre serveur a dit à votre compte, du plus récent au plus ancien. Ils restent sur cet appareil.',
  'operator.none': 'L’opérateur de votre serveur ne vous a envoyé aucun avis.',
  'operator.unread': 'Non lu',
};
