% # The restore of a backup on a USB stick (the Backup page and the first-boot wizard): the stick's .cbx files, newest first.
<h3>{{_('From a USB stick')}}</h3>
% backups = [(s, b) for s in sticks for b in s['backups']]
% if backups:
<form method="post" action="{{action}}" class="form" id="usb-restore-form">
% for name, value in hidden.items():
  <input type="hidden" name="{{name}}" value="{{value}}">
% end
  <input type="hidden" name="source" value="usb">
  <fieldset>
    <legend>{{_('Backups on the USB stick')}}</legend>
% for i, (s, b) in enumerate(backups):
    <p><label class="check"><input type="radio" name="usb_file" value="{{s['path']}}/{{b['name']}}" id="usb-file-{{i}}"{{!' checked' if i == 0 else ''}}> {{s['name']}}: <code>{{b['name']}}</code> ({{'%.1f MB' % (b['size'] / 1e6)}})</label></p>
% end
  </fieldset>
  <p><label>{{_("The backup's passphrase")}}<br><input name="restore_passphrase" id="usb-restore-passphrase" type="password" autocomplete="off" required></label></p>
  <p><button type="submit" id="restore-usb">{{_('Restore this backup')}}</button></p>
</form>
% elif sticks:
<p class="muted" id="no-usb-backup">{{_('No backup (.cbx) on the USB stick.')}}</p>
% else:
<p class="muted" id="no-usb-restore">{{_('No USB stick found: plug one in, wait a few seconds and reload this page.')}}</p>
% end
