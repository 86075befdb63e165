"""{% staff_actions as actions %}: the main tools this user may open (offers.staff_home),
for the navigation bar of every admin and dashboard page."""

from django import template

from offers.staff_home import actions

register = template.Library()


@register.simple_tag(takes_context=True)
def staff_actions(context):
    request = context.get("request")
    return actions(request) if request is not None else []
