% # The one-time first-administrator link: only while no user exists.
% rebase('base.tpl', title=_('First administrator'), nav='', refresh=None)
<h1>{{_('Create the first administrator')}}</h1>
% if not valid:
<p class="banner warn">{{_('This setup link is not valid: it was used, it expired, or an administrator exists already.')}}
  {{_('Restart the web UI for a new link while no user exists, or run:')}} <code>callbox user add --admin NAME</code></p>
% else:
% if error:
<p class="banner warn">{{error}}</p>
% end
<p>{{_('This account can see every call of every tenant and manage the other users. The link works once.')}}</p>
<form method="post" class="form">
  <p><label>{{_('Username')}}<br><input name="username" value="{{username}}" autocomplete="username" required autofocus></label></p>
  <p><label>{{_('Password (at least 10 characters)')}}<br><input name="password" type="password" autocomplete="new-password" required></label></p>
  <p><label>{{_('Password again')}}<br><input name="password2" type="password" autocomplete="new-password" required></label></p>
  <p><button type="submit">{{_('Create administrator')}}</button></p>
</form>
% end
