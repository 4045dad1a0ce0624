// Language: zh-CN by default, English one click away. The choice is kept in
// localStorage, drives <html lang>, the document title and Element Plus's own texts.
import { computed } from 'vue'
import { createI18n } from 'vue-i18n'
import epZhCn from 'element-plus/es/locale/lang/zh-cn'
import epEn from 'element-plus/es/locale/lang/en'
import zhCN from './locales/zh-CN.js'
import en from './locales/en.js'

export const LANGS = ['zh-CN', 'en']
export const DEFAULT_LANG = 'zh-CN'
const STORAGE_KEY = 'ck.lang'
const EP_LOCALES = { 'zh-CN': epZhCn, en: epEn }

function storedLang() {
  try {
    const v = window.localStorage.getItem(STORAGE_KEY)
    return LANGS.includes(v) ? v : DEFAULT_LANG
  } catch {
    return DEFAULT_LANG
  }
}

export const i18n = createI18n({
  legacy: false,
  locale: storedLang(),
  fallbackLocale: DEFAULT_LANG,
  messages: { 'zh-CN': zhCN, en },
  missingWarn: false,
  fallbackWarn: false,
})

/** The current language code, reactive. */
export const lang = computed(() => i18n.global.locale.value)

/** Element Plus locale object for <el-config-provider>, reactive. */
export const elementLocale = computed(() => EP_LOCALES[i18n.global.locale.value] || epZhCn)

/** Translate outside components (api client, router). */
export function t(key, params) {
  return i18n.global.t(key, params || {})
}

/** Whether a message key exists in the current language. */
export function te(key) {
  return i18n.global.te(key)
}

function applyToDocument(code) {
  document.documentElement.lang = code
  document.title = i18n.global.t('app.title')
}

/** Switch language, remember it, update <html lang> and the title. */
export function setLang(code) {
  if (!LANGS.includes(code)) code = DEFAULT_LANG
  i18n.global.locale.value = code
  try {
    window.localStorage.setItem(STORAGE_KEY, code)
  } catch {
    /* private mode: the choice just is not remembered */
  }
  applyToDocument(code)
}

/** The other language, for a one-click switch. */
export function toggleLang() {
  setLang(i18n.global.locale.value === 'en' ? 'zh-CN' : 'en')
}

applyToDocument(i18n.global.locale.value)
