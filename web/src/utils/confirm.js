// Confirmation box with translated buttons (ElMessageBox lives outside the app's
// config provider, so its button texts are passed explicitly).
import { ElMessageBox } from 'element-plus'
import 'element-plus/es/components/message-box/style/css'
import { t } from '../i18n.js'

/** Resolves true when confirmed, false when cancelled or closed. */
export async function confirmAction(message, { danger = true } = {}) {
  try {
    await ElMessageBox.confirm(message, t('common.confirmTitle'), {
      confirmButtonText: t('common.confirm'),
      cancelButtonText: t('common.cancel'),
      type: danger ? 'warning' : 'info',
      confirmButtonClass: danger ? 'el-button--danger' : '',
      customClass: 'ck-confirm',
      autofocus: false,
    })
    return true
  } catch {
    return false
  }
}
