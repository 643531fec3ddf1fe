from django import template

from portal.people import person_name

register = template.Library()

register.filter("person", person_name)
