// Microsoft Teams' Adaptive Card host configs (light and dark), as published
// with Microsoft's Adaptive Cards samples (samples/HostConfig/microsoft-teams-
// light.json and -dark.json in microsoft/AdaptiveCards). Only the values that
// decide how our cards render are kept: spacing, fonts, the colour of text on
// each container style, actions and fact sets. Colours are #AARRGGBB where
// the source gives an alpha, as the renderer reads them.

type Palette = Record<
  "default" | "dark" | "light" | "accent" | "good" | "warning" | "attention",
  { default: string; subtle: string }
>;

const LIGHT_TEXT: Palette = {
  default: { default: "#ff252424", subtle: "#bf252424" },
  dark: { default: "#252424", subtle: "#bf252424" },
  light: { default: "#ffffff", subtle: "#fff3f2f1" },
  accent: { default: "#6264a7", subtle: "#8b8cc7" },
  good: { default: "#92c353", subtle: "#e592c353" },
  warning: { default: "#f8d22a", subtle: "#e5f8d22a" },
  attention: { default: "#c4314b", subtle: "#e5c4314b" },
};

/** Dark theme text on the page's own (dark) styles. */
const DARK_TEXT: Palette = {
  default: { default: "#ffffffff", subtle: "#bfffffff" },
  dark: { default: "#ff201f1f", subtle: "#ff2d2c2c" },
  light: { default: "#ffffffff", subtle: "#bfffffff" },
  accent: { default: "#ffa6a7dc", subtle: "#ff8b8cc7" },
  good: { default: "#ff92c353", subtle: "#e592c353" },
  warning: { default: "#fff8d22a", subtle: "#e5f8d22a" },
  attention: { default: "#ffd74654", subtle: "#e5d74654" },
};

/** Dark theme text on the light-coloured accent / good / attention / warning styles. */
const DARK_ON_TINT: Palette = {
  ...DARK_TEXT,
  default: { default: "#ff201f1f", subtle: "#ff2d2c2c" },
};

const FONT = {
  fontSizes: { small: 12, default: 14, medium: 14, large: 18, extraLarge: 24 },
  fontWeights: { lighter: 200, default: 400, bolder: 600 },
};

function hostConfig(
  styles: Record<string, { backgroundColor: string; foregroundColors: Palette }>,
) {
  return {
    choiceSetInputValueSeparator: ",",
    supportsInteractivity: true,
    spacing: { small: 8, default: 12, medium: 16, large: 20, extraLarge: 24, padding: 16 },
    separator: { lineThickness: 1, lineColor: "#EEEEEE" },
    imageSizes: { small: 32, medium: 52, large: 100 },
    fontTypes: {
      default: { fontFamily: "'Segoe UI', Tahoma, Geneva, Verdana, sans-serif", ...FONT },
      monospace: { fontFamily: "'Courier New', Courier, monospace", ...FONT },
    },
    containerStyles: styles,
    actions: {
      maxActions: 6,
      spacing: "Default",
      buttonSpacing: 8,
      showCard: { actionMode: "Inline", inlineTopMargin: 16, style: "emphasis" },
      preExpandSingleShowCardAction: false,
      actionsOrientation: "Horizontal",
      actionAlignment: "Left",
    },
    adaptiveCard: { allowCustomStyle: false },
    factSet: {
      title: { size: "Default", color: "Default", isSubtle: false, weight: "Bolder", wrap: true },
      value: { size: "Default", color: "Default", isSubtle: false, weight: "Default", wrap: true },
      spacing: 16,
    },
  };
}

export const TEAMS_HOST_CONFIGS = {
  light: hostConfig({
    default: { backgroundColor: "#ffffff", foregroundColors: LIGHT_TEXT },
    emphasis: { backgroundColor: "#fff9f8f7", foregroundColors: LIGHT_TEXT },
    accent: { backgroundColor: "#C7DEF9", foregroundColors: LIGHT_TEXT },
    good: { backgroundColor: "#CCFFCC", foregroundColors: LIGHT_TEXT },
    attention: { backgroundColor: "#FFC5B2", foregroundColors: LIGHT_TEXT },
    warning: { backgroundColor: "#FFE2B2", foregroundColors: LIGHT_TEXT },
  }),
  dark: hostConfig({
    default: { backgroundColor: "#ff2d2c2c", foregroundColors: DARK_TEXT },
    emphasis: { backgroundColor: "#ff292828", foregroundColors: DARK_TEXT },
    accent: { backgroundColor: "#C7DEF9", foregroundColors: DARK_ON_TINT },
    good: { backgroundColor: "#CCFFCC", foregroundColors: DARK_ON_TINT },
    attention: { backgroundColor: "#FFC5B2", foregroundColors: DARK_ON_TINT },
    warning: { backgroundColor: "#FFE2B2", foregroundColors: DARK_ON_TINT },
  }),
} as const;

export type TeamsTheme = keyof typeof TEAMS_HOST_CONFIGS;
