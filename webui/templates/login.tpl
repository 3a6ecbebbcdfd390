% # Login form. Scripts can POST the same fields (username, password) with Accept: application/json.
% rebase('base.tpl', title=_('Log in'), nav='', refresh=None)
<h1>{{_('Log in')}}</h1>
% from appliance.access.users import has_users
% if not has_users():
<p class="banner ok" id="first-boot-link">{{_('This box has no user yet.')}} <a href="/first-boot">{{_('Set up this box with the setup code its console shows')}}</a></p>
% end
% if error:
<p class="banner warn">{{error}}</p>
% end
<form method="post" action="/login" class="form">
  <input type="hidden" name="next" value="{{next}}">
  <p><label>{{_('Username')}}<br><input name="username" value="{{username}}" autocomplete="username" required autofocus></label></p>
  <p><label>{{_('Password')}}<br><input name="password" type="password" autocomplete="current-password" required></label></p>
  <p><button type="submit">{{_('Log in')}}</button></p>
</form>
